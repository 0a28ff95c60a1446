import { cleanup, render } from 'ink-testing-library';
import { afterEach, expect, test } from 'vitest';
import type { SessionEvent } from '../../../src/runtime/events/types.js';
import { SpeechQueue } from '../../../src/ui/components/speech-queue.js';
import {
  initialSpeechQueue,
  MAX_DONE_SPEECHES,
  speechQueueReducer,
} from '../../../src/ui/state/speech.js';
import { ev, fold, mountApp, plain } from '../helpers.js';

afterEach(() => cleanup());

const created = (id: string, t: number, allowInterruptions = true) =>
  ev('speech.created', t, {
    speechId: id,
    agentId: 'agent_1',
    source: 'reply',
    origin: 'api',
    allowInterruptions,
    priority: 0,
    text: null,
    originToolCallId: null,
    originTaskId: null,
    userTurnId: 'u1',
  });

test('a handle goes queued → playing → done interrupted, with the cut-off text marked', async () => {
  const app = mountApp();
  await app.emit(
    created('speech_1', 0),
    ev('speech.queued', 0, { speechId: 'speech_1', step: 0, state: 'queued' }),
  );
  expect(app.frame()).toContain('speech_1 queued · reply ← api · agent_1 · 0ms');

  await app.emit(
    ev('speech.generating', 100, { speechId: 'speech_1', step: 0, state: 'generating' }),
    ev('speech.text', 200, {
      speechId: 'speech_1',
      step: 0,
      delta: 'Sure thing. The forecast says rain.',
    }),
    ev('speech.segment', 250, {
      speechId: 'speech_1',
      step: 0,
      textIndex: 0,
      text: 'Sure thing. ',
      audioMs: 1000,
    }),
    ev('speech.segment', 260, {
      speechId: 'speech_1',
      step: 0,
      textIndex: 1,
      text: 'The forecast says rain.',
      audioMs: 2000,
    }),
    ev('speech.playing', 300, { speechId: 'speech_1', step: 0, state: 'playing' }),
  );
  expect(app.frame()).toContain('▶ speech_1 playing');
  expect(app.frame()).toContain('▸ Sure thing. The forecast says rain.');

  // Session time moves on its own while audio plays; the cursor follows.
  await app.step(1000);
  expect(app.frame()).toContain('heard 1.0s');
  expect(app.frame()).toContain('Sure thing. ▸ The forecast says rain.');

  await app.emit(
    ev('speech.interrupted', 1400, {
      speechId: 'speech_1',
      step: 0,
      state: 'interrupting',
      by: 'user_speech',
      force: false,
    }),
    ev('speech.done', 1450, {
      speechId: 'speech_1',
      state: 'done',
      reason: 'interrupted',
      playedMs: 1100,
      totalMs: 3000,
      spokenText: 'Sure thing.',
      fullText: 'Sure thing. The forecast says rain.',
      error: null,
    }),
  );
  const frame = app.frame();
  expect(frame).toContain('✂ speech_1 done interrupted');
  expect(frame).toContain('by user_speech');
  expect(frame).toContain('Sure thing. ✂ The forecast says rain.');
  expect(frame).toContain('Speech 0 live');
});

test('live handles first, then the newest done ones; uninterruptible and tool origin shown', () => {
  const state = fold(speechQueueReducer, initialSpeechQueue, [
    created('old', 0),
    ev('speech.done', 10, {
      speechId: 'old',
      state: 'done',
      reason: 'completed',
      playedMs: 5,
      totalMs: 5,
      spokenText: 'Hi.',
      fullText: 'Hi.',
      error: null,
    }),
    created('failed', 20),
    ev('speech.done', 30, {
      speechId: 'failed',
      state: 'done',
      reason: 'failed',
      playedMs: 0,
      totalMs: 0,
      spokenText: '',
      fullText: '',
      error: 'ProviderError: tts down',
    }),
    {
      ...created('tool_s', 40, false),
      originToolCallId: 'call_7',
    },
    ev('speech.awaiting_tools', 50, {
      speechId: 'tool_s',
      step: 0,
      state: 'awaiting_tools',
      toolCallIds: ['call_8'],
    }),
  ]);
  const { lastFrame } = render(<SpeechQueue items={state.items} now={1000} maxDone={5} />);
  const lines = plain(lastFrame()).split('\n');
  const rows = lines.filter((l) => /^[^ ]/.test(l) && !l.startsWith('Speech'));
  expect(rows[0]).toContain(
    'tool_s awaiting tools · reply ← tool call_7 · agent_1 · 960ms · ⊘ uninterruptible · waits call_8',
  );
  expect(rows[1]).toContain('✗ failed done failed');
  expect(rows[2]).toContain('✓ old done completed');
  expect(plain(lastFrame())).toContain('error: ProviderError: tts down');
});

test('empty queue', () => {
  const { lastFrame } = render(<SpeechQueue items={[]} now={0} />);
  expect(plain(lastFrame())).toContain('no speech yet');
});

const done = (id: string, t: number) =>
  ev('speech.done', t, {
    speechId: id,
    state: 'done',
    reason: 'completed',
    playedMs: 5,
    totalMs: 5,
    spokenText: `${id} said.`,
    fullText: `${id} said.`,
    error: null,
  });

test('the speech that finished last is kept and shown first, even if it was created first', () => {
  // A reply whose tool runs a filler: the filler is created after the reply and finishes
  // before it. With room for one finished handle, the reply (finished last) is the one shown.
  const state = fold(speechQueueReducer, initialSpeechQueue, [
    created('reply', 0),
    { ...created('filler', 10), originToolCallId: 'fc_1' },
    done('filler', 20),
    done('reply', 30),
  ]);
  const one = render(<SpeechQueue items={state.items} now={40} maxDone={1} />);
  expect(plain(one.lastFrame())).toContain('reply done completed');
  expect(plain(one.lastFrame())).not.toContain('filler');
  const two = render(<SpeechQueue items={state.items} now={40} maxDone={2} />);
  const rows = plain(two.lastFrame())
    .split('\n')
    .filter((l) => l.startsWith('✓'));
  expect(rows.map((r) => r.split(' ')[1])).toEqual(['reply', 'filler']);
});

test('the state forgets the handles that finished longest ago, not the oldest created', () => {
  const events: SessionEvent[] = [created('first', 0)];
  for (let i = 0; i < MAX_DONE_SPEECHES; i++) {
    events.push(created(`s${i}`, i + 1), done(`s${i}`, i + 1));
  }
  events.push(done('first', 100));
  const state = fold(speechQueueReducer, initialSpeechQueue, events);
  expect(state.items.map((s) => s.id)).toContain('first');
  expect(state.items.map((s) => s.id)).not.toContain('s0');
  expect(state.items.filter((s) => s.state === 'done')).toHaveLength(MAX_DONE_SPEECHES);
});

test('the speech row says who asked for it: the console, the API, the user, a tool', () => {
  const state = fold(speechQueueReducer, initialSpeechQueue, [
    { ...created('by_console', 0), source: 'say', origin: 'console', text: 'Hi.' },
    ev('speech.interrupted', 5, {
      speechId: 'by_console',
      step: 0,
      state: 'interrupting',
      by: 'console',
      force: true,
    }),
    { ...created('for_user', 10), origin: 'user' },
  ]);
  const frame = plain(render(<SpeechQueue items={state.items} now={20} />).lastFrame());
  expect(frame).toContain('by_console interrupting · say ← console');
  expect(frame).toContain('by console (forced)');
  expect(frame).toContain('for_user queued · reply ← user');
});
