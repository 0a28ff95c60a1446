import { cleanup, render } from 'ink-testing-library';
import { afterEach, expect, test } from 'vitest';
import { SpeechQueue } from '../../../src/ui/components/speech-queue.js';
import { initialSpeechQueue, speechQueueReducer } from '../../../src/ui/state/speech.js';
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
  expect(app.frame()).toContain('speech_1 queued · reply · agent_1 · 0ms');

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
