import { Box, Text } from 'ink';
import { hotkeyLine } from '../state/keys.js';
import type { UiState } from '../state/ui.js';

export interface FooterProps {
  notice: UiState['notice'];
  /** Inputs waiting for the session to exist (already described for display). */
  waiting?: readonly string[];
  /** False when stdin is not a terminal: keys cannot be read. */
  keysActive: boolean;
  width?: number;
  gap?: boolean;
}

/** Lines the footer takes: the screen plan counts them before drawing. */
export function footerLines(notice: FooterProps['notice'], waiting: readonly string[]): number {
  return (notice ? 1 : 0) + (waiting.length ? 1 : 0) + 1;
}

export function Footer({ notice, waiting = [], keysActive, width = 200, gap = true }: FooterProps) {
  return (
    <Box flexDirection="column" marginTop={gap ? 1 : 0}>
      {notice ? (
        <Text color={notice.level === 'error' ? 'red' : 'cyan'} wrap="truncate-end">
          {notice.text}
        </Text>
      ) : null}
      {waiting.length ? (
        <Text color="yellow" wrap="truncate-end">
          ⧗ waiting for the session to start ({waiting.length}): {waiting.join(' · ')}
        </Text>
      ) : null}
      {keysActive ? (
        <Text wrap="truncate-end">{hotkeyLine(width)}</Text>
      ) : (
        <Text dimColor>stdin is not a terminal: hotkeys are off</Text>
      )}
    </Box>
  );
}
