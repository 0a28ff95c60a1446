import { expect, test } from 'vitest';
import { renderConsole } from '../../src/ui/render-console.js';
import {
  ev,
  FakeIn,
  FakeOut,
  fakeController,
  fakeEvents,
  flush,
  header,
  manualScheduler,
} from './helpers.js';

function start(isTTY: boolean, rows = 40) {
  const events = fakeEvents();
  const controller = fakeController();
  const stdout = new FakeOut(100, rows);
  const stdin = new FakeIn(isTTY);
  const timers = manualScheduler();
  const handle = renderConsole({
    events: events.source,
    controller,
    header,
    now: () => 0,
    scheduler: timers.scheduler,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new FakeOut() as unknown as NodeJS.WriteStream,
    patchConsole: false,
  });
  return { events, controller, stdout, stdin, timers, handle };
}

// Ink draws in place in a terminal and only once at exit under CI=true, so these tests
// read everything written and check the final state after unmount.
test('keys reach the controller; setHeader redraws; unmount ends it and unsubscribes', async () => {
  const { controller, stdout, stdin, timers, handle, events } = start(true);
  await flush();
  stdin.type('q');
  await flush();
  expect(controller.quit).toHaveBeenCalledTimes(1);
  handle.setHeader({ sessionNotice: 'reloaded agent.ts' });
  timers.advance(100);
  handle.unmount();
  await handle.waitUntilExit();
  expect(stdout.text()).toContain('↻ reloaded agent.ts');
  expect(stdout.text()).toContain('quitting…');
  expect(events.listenerCount()).toBe(0);
  handle.unmount(); // twice is harmless
});

test('events emitted right after the call, before the panels subscribed, still show', async () => {
  const { stdout, timers, handle, events } = start(true);
  events.emit(
    ev('session.started', 0, { agentId: 'a1', models: {} }),
    ev('agent.changed', 0, {
      agentId: 'a1',
      agentName: 'EarlyBird',
      previousAgentId: null,
      reason: 'start',
      stack: ['a1'],
    }),
  );
  await flush();
  timers.advance(100);
  await flush();
  handle.unmount();
  await handle.waitUntilExit();
  expect(stdout.text()).toContain('agent EarlyBird · running');
});

test('a stdin that is not a terminal turns hotkeys off instead of crashing', async () => {
  const { stdout, handle } = start(false);
  await flush();
  handle.unmount();
  await handle.waitUntilExit();
  expect(stdout.text()).toContain('stdin is not a terminal: hotkeys are off');
});
