import { Box, Text } from 'ink';
import { HOTKEYS } from '../state/keys.js';

export function Help() {
  return (
    <Box flexDirection="column" marginTop={1} borderStyle="round" paddingX={1}>
      <Text bold>Keys</Text>
      {HOTKEYS.map((h) => (
        <Text key={h.label}>
          <Text bold>{h.keys.join(', ').padEnd(10)}</Text> {h.help}
        </Text>
      ))}
      <Text dimColor>? or Esc closes this help</Text>
    </Box>
  );
}
