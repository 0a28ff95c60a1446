import { Text } from 'ink';
import type { TaskItem, TasksState } from '../state/tasks.js';
import { formatMs, oneLine } from './format.js';
import { Panel } from './panel.js';

export interface TasksProps {
  state: TasksState;
  now: number;
  maxFinished?: number;
  /** Lines the panel may use: its title, the stack, then one per task. */
  maxLines?: number;
  gap?: boolean;
}

const MARK = { running: '●', completed: '✓', failed: '✗', cancelled: '⊘' } as const;
const COLOR = { running: 'yellow', completed: 'green', failed: 'red', cancelled: 'gray' } as const;

function TaskRow({ task, now }: { task: TaskItem; now: number }) {
  const running = task.status === 'running';
  return (
    <Text wrap="truncate-end">
      <Text color={COLOR[task.status]}>
        {MARK[task.status]} {task.name}
      </Text>{' '}
      {task.status} {formatMs(running ? now - task.startedAt : task.durationMs)}
      <Text dimColor> · awaited by {task.awaitedBy}</Text>
      {task.detail ? <Text color={COLOR[task.status]}> · {oneLine(task.detail, 80)}</Text> : null}
    </Text>
  );
}

export function Tasks({
  state,
  now,
  maxFinished = 2,
  maxLines = Number.POSITIVE_INFINITY,
  gap = true,
}: TasksProps) {
  const name = (id: string) => state.names[id] ?? id;
  const running = state.tasks.filter((k) => k.status === 'running');
  const finished = state.tasks
    .filter((k) => k.status !== 'running')
    .slice(-maxFinished)
    .reverse();
  const shown = [...running, ...finished].slice(0, Math.max(0, maxLines - 2));
  return (
    <Panel title="Agents & tasks" gap={gap}>
      {maxLines < 2 ? null : (
        <Text wrap="truncate-end">
          {'  stack '}
          {state.stack.length ? (
            state.stack.map((id, i) => (
              // A stack position is its identity (the same agent may sit in it twice).
              // biome-ignore lint/suspicious/noArrayIndexKey: see above
              <Text key={`${i}:${id}`} bold={i === state.stack.length - 1}>
                {i ? ' › ' : ''}
                {name(id)}
              </Text>
            ))
          ) : (
            <Text dimColor>none</Text>
          )}
        </Text>
      )}
      {shown.map((k) => (
        <TaskRow key={k.id} task={k} now={now} />
      ))}
    </Panel>
  );
}
