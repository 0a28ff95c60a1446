import { Box, Text } from 'ink';
import { HOTKEYS } from '../state/keys.js';

export interface HelpProps {
  /** Lines the help may use; on a short terminal it drops its frame and what does not fit. */
  maxLines?: number;
  gap?: boolean;
}

/** Lines of the framed help: borders, title, one per key, and the closing hint. */
const FRAMED_LINES = HOTKEYS.length + 4;

export function Help({ maxLines = Number.POSITIVE_INFINITY, gap = true }: HelpProps) {
  const rows = HOTKEYS.map((h) => (
    <Text key={h.label} wrap="truncate-end">
      <Text bold>{h.keys.join(', ').padEnd(10)}</Text> {h.help}
    </Text>
  ));
  if (gap && maxLines >= FRAMED_LINES) {
    return (
      <Box flexDirection="column" marginTop={1} borderStyle="round" paddingX={1}>
        <Text bold>Keys</Text>
        {rows}
        <Text dimColor>? or Esc closes this help</Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" marginTop={gap ? 1 : 0}>
      <Text bold wrap="truncate-end">
        Keys <Text dimColor>(? or Esc closes this help)</Text>
      </Text>
      {rows.slice(0, Math.max(0, maxLines - 1))}
    </Box>
  );
}
