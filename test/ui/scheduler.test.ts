import { expect, test, vi } from 'vitest';
import { createFrameBatcher } from '../../src/ui/scheduler.js';
import { createSessionTap } from '../../src/ui/session-tap.js';
import { ev, fakeEvents, manualScheduler } from './helpers.js';

test('a frame runs each requested flush once, at most once per frame', () => {
  const timers = manualScheduler();
  const frame = createFrameBatcher(timers.scheduler, 30);
  const a = vi.fn();
  const b = vi.fn();
  frame.request(a);
  frame.request(a);
  frame.request(b);
  timers.advance(32);
  expect(a).not.toHaveBeenCalled();
  timers.advance(1);
  expect([a.mock.calls.length, b.mock.calls.length]).toEqual([1, 1]);
  frame.request(a);
  frame.dispose();
  timers.advance(100);
  expect(a).toHaveBeenCalledTimes(1);
  expect(timers.pending()).toBe(0);
});

test('the session tap replays the backlog to late listeners until released', () => {
  const events = fakeEvents();
  const tap = createSessionTap(events.source);
  const early = ev('session.started', 0, { agentId: 'a', models: {} });
  events.emit(early);
  const seen: string[] = [];
  const sub = tap.source.onAny((e) => seen.push(e.type));
  events.emit(ev('agent.state', 5, { state: 'listening' }));
  expect(seen).toEqual(['session.started', 'agent.state']);
  tap.release();
  const late: string[] = [];
  tap.source.onAny((e) => late.push(e.type));
  expect(late).toEqual([]);
  sub.dispose();
  tap.dispose();
  expect(events.listenerCount()).toBe(0);
});
