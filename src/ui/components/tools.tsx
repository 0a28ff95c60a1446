import { Text } from 'ink';
import type { ToolCall } from '../state/tools.js';
import { formatMs, oneLine } from './format.js';
import { Empty, Panel } from './panel.js';

export interface ToolsProps {
  calls: readonly ToolCall[];
  now: number;
  maxFinished?: number;
  /** Lines the panel may use, its title included (one per call). */
  maxLines?: number;
  gap?: boolean;
}

function ToolRow({ call, now }: { call: ToolCall; now: number }) {
  const args = oneLine(call.arguments, 60);
  if (call.finishedAt === null) {
    return (
      <Text wrap="truncate-end">
        <Text color="yellow">⚙ {call.name}</Text>({args}) running {formatMs(now - call.startedAt)}
      </Text>
    );
  }
  const failed = call.isError || call.error !== null;
  return (
    <Text wrap="truncate-end">
      <Text color={failed ? 'red' : 'green'}>
        {failed ? '✗' : '✓'} {call.name}
      </Text>
      ({args}) {formatMs(call.durationMs)}
      {call.interrupted ? <Text color="yellow"> ⚠ interrupted</Text> : null}
      {' → '}
      <Text color={failed ? 'red' : undefined}>{oneLine(call.error ?? call.output ?? '', 80)}</Text>
    </Text>
  );
}

export function Tools({
  calls,
  now,
  maxFinished = 3,
  maxLines = Number.POSITIVE_INFINITY,
  gap = true,
}: ToolsProps) {
  const running = calls.filter((c) => c.finishedAt === null);
  const finished = calls
    .filter((c) => c.finishedAt !== null)
    .slice(-maxFinished)
    .reverse();
  // Rows are keyed by voxagent's own call id: a provider may repeat its ids.
  const shown = [...running, ...finished].slice(0, Math.max(0, maxLines - 1));
  return (
    <Panel title="Tools" extra={running.length ? `${running.length} running` : undefined} gap={gap}>
      {running.length + finished.length === 0 && maxLines > 1 ? (
        <Empty text="no tool calls yet" />
      ) : null}
      {shown.map((c) => (
        <ToolRow key={c.id} call={c} now={now} />
      ))}
    </Panel>
  );
}
