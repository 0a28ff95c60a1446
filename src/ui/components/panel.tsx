import { Box, Text } from 'ink';
import type { ReactNode } from 'react';

/**
 * A titled section; every panel uses it so the screen reads as one list of blocks. `gap` puts
 * a blank line above it (tall terminals); the title is always exactly one line.
 */
export function Panel({
  title,
  extra,
  gap = true,
  children,
}: {
  title: string;
  extra?: string;
  gap?: boolean;
  children: ReactNode;
}) {
  return (
    <Box flexDirection="column" marginTop={gap ? 1 : 0}>
      <Text bold wrap="truncate-end">
        {title}
        {extra ? <Text dimColor> {extra}</Text> : null}
      </Text>
      {children}
    </Box>
  );
}

export function Empty({ text }: { text: string }) {
  return <Text dimColor>{`  ${text}`}</Text>;
}
