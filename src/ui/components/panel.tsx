import { Box, Text } from 'ink';
import type { ReactNode } from 'react';

/** A titled section; every panel uses it so the screen reads as one list of blocks. */
export function Panel({
  title,
  extra,
  children,
}: {
  title: string;
  extra?: string;
  children: ReactNode;
}) {
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>
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
