import { Box, Text } from 'ink';
import { HOTKEYS } from '../state/keys.js';
import type { UiState } from '../state/ui.js';

export interface FooterProps {
  notice: UiState['notice'];
  /** False when stdin is not a terminal: keys cannot be read. */
  keysActive: boolean;
}

export function Footer({ notice, keysActive }: FooterProps) {
  return (
    <Box flexDirection="column" marginTop={1}>
      {notice ? <Text color={notice.level === 'error' ? 'red' : 'cyan'}>{notice.text}</Text> : null}
      {keysActive ? (
        <Text wrap="wrap">
          {HOTKEYS.map((h, i) => (
            <Text key={h.label}>
              {i ? ' · ' : ''}
              <Text bold>{h.keys.join(',')}</Text> {h.label}
            </Text>
          ))}
        </Text>
      ) : (
        <Text dimColor>stdin is not a terminal: hotkeys are off</Text>
      )}
    </Box>
  );
}
