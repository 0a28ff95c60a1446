import { Text } from 'ink';
import type { LogsState } from '../state/logs.js';
import { formatMs, oneLine } from './format.js';
import { Empty, Panel } from './panel.js';

export interface LogPanelProps {
  state: LogsState;
  logFile?: string;
  /** Log lines shown (the newest). */
  maxLines?: number;
  gap?: boolean;
}

const COLOR = { debug: 'gray', info: undefined, warn: 'yellow', error: 'red' } as const;

export function LogPanel({ state, logFile, maxLines = 8, gap = true }: LogPanelProps) {
  const lines = maxLines > 0 ? state.lines.slice(-maxLines) : [];
  return (
    <Panel title="Log" extra={logFile ? `(full log: ${logFile})` : undefined} gap={gap}>
      {lines.length === 0 && maxLines > 0 ? <Empty text="no log lines" /> : null}
      {lines.map((l, i) => (
        // Lines have no identity of their own; position from the end is stable enough.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <Text key={i} color={COLOR[l.level]} wrap="truncate-end">
          {l.t !== undefined ? `${formatMs(l.t)} ` : ''}
          {l.level.padEnd(5)} {oneLine(l.text, 300)}
        </Text>
      ))}
    </Panel>
  );
}
