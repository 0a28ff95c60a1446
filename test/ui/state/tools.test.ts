import { expect, test } from 'vitest';
import type { SessionEvent } from '../../../src/runtime/events/types.js';
import { initialTools, MAX_FINISHED_TOOLS, toolsReducer } from '../../../src/ui/state/tools.js';
import { ev, fold } from '../helpers.js';

const started = (id: string, t: number) =>
  ev('tool.started', t, {
    toolCallId: id,
    providerCallId: id,
    name: 'get_weather',
    arguments: '{"city":"Paris"}',
    speechId: 's1',
    agentId: 'a1',
  });
const finished = (
  id: string,
  t: number,
  extra: Partial<{
    isError: boolean;
    interrupted: boolean;
    error: string | null;
    output: string;
  }> = {},
) =>
  ev('tool.finished', t, {
    toolCallId: id,
    providerCallId: id,
    name: 'get_weather',
    speechId: 's1',
    durationMs: 40,
    output: 'sunny',
    isError: false,
    interrupted: false,
    error: null,
    ...extra,
  });

test('a call runs, then finishes with output and duration', () => {
  const running = fold(toolsReducer, initialTools, [started('c1', 100)]);
  expect(running.calls[0]).toMatchObject({
    id: 'c1',
    arguments: '{"city":"Paris"}',
    finishedAt: null,
  });
  const done = toolsReducer(running, finished('c1', 140));
  expect(done.calls[0]).toMatchObject({
    finishedAt: 140,
    durationMs: 40,
    output: 'sunny',
    isError: false,
  });
});

test('errors and interruptions are kept', () => {
  const s = fold(toolsReducer, initialTools, [
    started('c1', 0),
    started('c2', 0),
    finished('c1', 10, { isError: true, error: 'TypeError: boom', output: 'tool failed' }),
    finished('c2', 20, { interrupted: true }),
  ]);
  expect(s.calls[0]).toMatchObject({ isError: true, error: 'TypeError: boom' });
  expect(s.calls[1]).toMatchObject({ interrupted: true });
});

test('finished calls are bounded; running ones stay; long output is clipped', () => {
  const events: SessionEvent[] = [started('live', 0)];
  for (let i = 0; i < MAX_FINISHED_TOOLS + 5; i++) {
    events.push(started(`c${i}`, i));
    events.push(finished(`c${i}`, i + 1, { output: 'x'.repeat(5000) }));
  }
  const s = fold(toolsReducer, initialTools, events);
  expect(s.calls).toHaveLength(MAX_FINISHED_TOOLS + 1);
  expect(s.calls[0]!.id).toBe('live');
  expect(s.calls[1]!.output!.length).toBeLessThanOrEqual(1000);
});

test('a finish without a start still shows', () => {
  const s = toolsReducer(initialTools, finished('c9', 500));
  expect(s.calls[0]).toMatchObject({ id: 'c9', startedAt: 460, durationMs: 40 });
});
