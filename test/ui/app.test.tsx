import { cleanup } from 'ink-testing-library';
import { afterEach, expect, test } from 'vitest';
import { App } from '../../src/ui/app.js';
import { ev, flush, header, mountApp } from './helpers.js';

afterEach(() => cleanup());

const speechEvents = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    ev('speech.text', i, { speechId: 's1', step: 0, delta: `w${i} ` }),
  );

test('a burst of events costs one render per frame, not one per event', async () => {
  const app = mountApp();
  await app.step(0);
  const before = app.frames.length;
  app.events.emit(...speechEvents(200));
  await flush();
  expect(app.frames.length).toBe(before); // nothing drawn before the frame is due
  await app.step(40);
  expect(app.frames.length).toBe(before + 1);
  expect(app.frame()).toContain('w0 w1 w2');
});

test('the clock ticks only while something moves', async () => {
  const app = mountApp();
  await app.step(0);
  const idle = app.timers.pending();
  await app.emit(ev('speech.playing', 0, { speechId: 's1', step: 0, state: 'playing' }));
  expect(app.timers.pending()).toBe(idle + 1);
  await app.step(2500);
  expect(app.frame()).toContain('2.5s');
  await app.emit(
    ev('speech.done', 2600, {
      speechId: 's1',
      state: 'done',
      reason: 'completed',
      playedMs: 2600,
      totalMs: 2600,
      spokenText: 'ok',
      fullText: 'ok',
      error: null,
    }),
  );
  expect(app.timers.pending()).toBe(idle);
});

test('unmounting disposes every subscription and timer', async () => {
  const app = mountApp({ getLevel: () => 0.5 });
  await app.step(0);
  expect(app.events.listenerCount()).toBeGreaterThan(0);
  app.unmount();
  expect(app.events.listenerCount()).toBe(0);
  expect(app.timers.pending()).toBe(0);
});

test('the mic and voice levels are polled and drawn', async () => {
  let level = 0;
  let voice = 0;
  const app = mountApp({ getLevel: () => level, getOutputLevel: () => voice });
  await app.step(100);
  expect(app.frame()).toContain('mic ░░░░░░░░░░░░');
  expect(app.frame()).toContain('voice ░░░░░░░░░░░░');
  level = 1;
  await app.step(100);
  expect(app.frame()).toContain('mic ████████████');
  expect(app.frame()).toContain('voice ░░░░░░░░░░░░');
  voice = 0.1; // -20 dB: two thirds of the bar
  await app.step(100);
  expect(app.frame()).toContain('voice ████████░░░░');
});

test('mode and mute follow the header when the caller changes it', async () => {
  const app = mountApp();
  const props = {
    events: app.events.source,
    controller: app.controller,
    now: () => 0,
    scheduler: app.timers.scheduler,
  };
  app.rerender(<App {...props} header={{ ...header, mode: 'audio', muted: true }} />);
  await flush();
  expect(app.frame()).toContain('mic muted');
  app.rerender(
    <App {...props} header={{ ...header, mode: 'text', sessionNotice: 'reloaded agent.ts' }} />,
  );
  await flush();
  expect(app.frame()).toContain('mode text');
  expect(app.frame()).toContain('↻ reloaded agent.ts');
});

test('a whole turn reaches every panel', async () => {
  const app = mountApp();
  await app.emit(
    ev('session.started', 0, { agentId: 'a1', models: { llm: 'gpt-x' } }),
    ev('agent.changed', 0, {
      agentId: 'a1',
      agentName: 'Concierge',
      previousAgentId: null,
      reason: 'start',
      stack: ['a1'],
    }),
    ev('user.turn', 100, {
      turnId: 'u1',
      text: 'weather in Oslo?',
      source: 'speech',
      agentId: 'a1',
      waited: false,
    }),
    ev('metrics.eou', 100, { turnId: 'u1', endOfUtteranceDelayMs: 500, transcriptionDelayMs: 20 }),
    ev('tool.started', 200, {
      toolCallId: 'c1',
      providerCallId: 'c1',
      name: 'weather',
      arguments: '{"city":"Oslo"}',
      speechId: 's1',
      agentId: 'a1',
    }),
    ev('error', 250, {
      code: 'rate_limited',
      message: 'slow down',
      source: 'openai.llm',
      recoverable: true,
    }),
  );
  const frame = app.frame();
  expect(frame).toContain('agent Concierge · running');
  expect(frame).toContain('you: weather in Oslo?');
  expect(frame).toContain('⚙ weather({"city":"Oslo"}) running');
  expect(frame).toContain('u1 e2e – · eou 500ms');
  expect(frame).toContain('✗ error rate_limited [openai.llm]: slow down');
  expect(frame).toContain('stack Concierge');
});
