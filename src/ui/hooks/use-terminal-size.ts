import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  rows: number;
  columns: number;
}

/** Fallback when the output is not a terminal (a pipe): roomy, so nothing is cut for no reason. */
const DEFAULT: TerminalSize = { rows: 50, columns: 120 };

/** The terminal's size, following resizes (the screen plan depends on it). */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));
  useEffect(() => {
    const read = () => sizeOf(stdout);
    const onResize = () =>
      setSize((prev) => {
        const next = read();
        return next.rows === prev.rows && next.columns === prev.columns ? prev : next;
      });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

function sizeOf(stdout: NodeJS.WriteStream): TerminalSize {
  return { rows: stdout.rows || DEFAULT.rows, columns: stdout.columns || DEFAULT.columns };
}
