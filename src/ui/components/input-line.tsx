import { Box, Text } from 'ink';
import type { LineKind } from '../state/ui.js';

export interface InputLineProps {
  kind: LineKind;
  text: string;
}

const PROMPT = { user: 'you ›', say: 'agent says ›' } as const;

export function InputLine({ kind, text }: InputLineProps) {
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        <Text bold color={kind === 'user' ? 'blue' : 'magenta'}>
          {PROMPT[kind]}
        </Text>{' '}
        {text}
        <Text inverse> </Text>
      </Text>
      <Text dimColor>Enter sends · Esc cancels</Text>
    </Box>
  );
}
