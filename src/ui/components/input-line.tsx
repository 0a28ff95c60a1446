import { Box, Text } from 'ink';
import type { LineKind } from '../state/ui.js';

export interface InputLineProps {
  kind: LineKind;
  text: string;
  width?: number;
  /** Tall terminal: a blank line above and the hint on a line of its own. */
  gap?: boolean;
}

const PROMPT = { user: 'you ›', say: 'agent says ›' } as const;
const HINT = 'Enter sends · Esc cancels';

/** The end of `text` in `max` characters; spaces are kept (the user is typing them). */
function tail(text: string, max: number): string {
  return text.length > max ? `…${text.slice(text.length - max + 1)}` : text;
}

/** Lines the open input line takes. */
export function inputLines(open: boolean, gap: boolean): number {
  if (!open) return 0;
  return gap ? 3 : 1;
}

export function InputLine({ kind, text, width = 200, gap = true }: InputLineProps) {
  // The end of what is typed stays in view: that is where the cursor is.
  const room = width - PROMPT[kind].length - 2 - (gap ? 0 : HINT.length + 3);
  return (
    <Box flexDirection="column" marginTop={gap ? 1 : 0}>
      <Text wrap="truncate-end">
        <Text bold color={kind === 'user' ? 'blue' : 'magenta'}>
          {PROMPT[kind]}
        </Text>{' '}
        {tail(text, Math.max(8, room))}
        <Text inverse> </Text>
        {gap ? null : <Text dimColor> · {HINT}</Text>}
      </Text>
      {gap ? <Text dimColor>{HINT}</Text> : null}
    </Box>
  );
}
