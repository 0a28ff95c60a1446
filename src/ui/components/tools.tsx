import { Text } from 'ink';
import type { ToolCall } from '../state/tools.js';
import { formatMs, oneLine } from './format.js';
import { Empty, Panel } from './panel.js';

export interface ToolsProps {
  calls: readonly ToolCall[];
  now: number;
  maxFinished?: number;
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

export function Tools({ calls, now, maxFinished = 3 }: ToolsProps) {
  const running = calls.filter((c) => c.finishedAt === null);
  const finished = calls
    .filter((c) => c.finishedAt !== null)
    .slice(-maxFinished)
    .reverse();
  return (
    <Panel title="Tools" extra={running.length ? `${running.length} running` : undefined}>
      {running.length + finished.length === 0 ? <Empty text="no tool calls yet" /> : null}
      {[...running, ...finished].map((c) => (
        <ToolRow key={c.id} call={c} now={now} />
      ))}
    </Panel>
  );
}
