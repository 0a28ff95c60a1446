import { expect, test } from 'vitest';
import { initialTasks, MAX_FINISHED_TASKS, tasksReducer } from '../../../src/ui/state/tasks.js';
import { ev, fold } from '../helpers.js';

test('the stack follows agent.changed and tasks report their outcome', () => {
  const s = fold(tasksReducer, initialTasks, [
    ev('session.started', 0, { agentId: 'a1', models: {} }),
    ev('agent.changed', 0, {
      agentId: 'a1',
      agentName: 'Assistant',
      previousAgentId: null,
      reason: 'start',
      stack: ['a1'],
    }),
    ev('task.started', 10, {
      taskId: 'k1',
      name: 'CollectEmail',
      awaitedBy: 'call_1',
      parentAgentId: 'a1',
    }),
    ev('agent.changed', 10, {
      agentId: 'k1',
      agentName: 'CollectEmail',
      previousAgentId: 'a1',
      reason: 'task_started',
      stack: ['a1', 'k1'],
    }),
  ]);
  expect(s.stack).toEqual(['a1', 'k1']);
  expect(s.names).toEqual({ a1: 'Assistant', k1: 'CollectEmail' });
  expect(s.tasks[0]).toMatchObject({ status: 'running', awaitedBy: 'call_1' });

  const done = fold(tasksReducer, s, [
    ev('task.completed', 900, { taskId: 'k1', name: 'CollectEmail', durationMs: 890 }),
    ev('agent.changed', 900, {
      agentId: 'a1',
      agentName: 'Assistant',
      previousAgentId: 'k1',
      reason: 'task_returned',
      stack: ['a1'],
    }),
  ]);
  expect(done.tasks[0]).toMatchObject({ status: 'completed', durationMs: 890, endedAt: 900 });
  expect(done.stack).toEqual(['a1']);
});

test('failed and cancelled tasks keep their reason', () => {
  const s = fold(tasksReducer, initialTasks, [
    ev('task.started', 0, { taskId: 'k1', name: 'A', awaitedBy: 'external', parentAgentId: 'a1' }),
    ev('task.started', 0, { taskId: 'k2', name: 'B', awaitedBy: 'external', parentAgentId: 'a1' }),
    ev('task.failed', 5, { taskId: 'k1', name: 'A', error: 'Error: no email' }),
    ev('task.cancelled', 6, { taskId: 'k2', name: 'B', reason: 'session closed' }),
  ]);
  expect(s.tasks.map((k) => [k.status, k.detail])).toEqual([
    ['failed', 'Error: no email'],
    ['cancelled', 'session closed'],
  ]);
});

test('finished tasks and their names are bounded', () => {
  const events = [];
  for (let i = 0; i < MAX_FINISHED_TASKS + 30; i++) {
    events.push(
      ev('task.started', i, {
        taskId: `k${i}`,
        name: `T${i}`,
        awaitedBy: 'x',
        parentAgentId: 'a1',
      }),
    );
    events.push(ev('task.completed', i, { taskId: `k${i}`, name: `T${i}`, durationMs: 1 }));
  }
  const s = fold(tasksReducer, initialTasks, events);
  expect(s.tasks).toHaveLength(MAX_FINISHED_TASKS);
  expect(Object.keys(s.names)).toHaveLength(MAX_FINISHED_TASKS);
});
