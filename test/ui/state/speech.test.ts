import { describe, expect, test } from 'vitest';
import type { SessionEvent } from '../../../src/runtime/events/types.js';
import {
  initialSpeechQueue,
  MAX_DONE_SPEECHES,
  speechQueueReducer,
} from '../../../src/ui/state/speech.js';
import { charsPlayed, prefixEnd, speechTextParts } from '../../../src/ui/state/speech-text.js';
import { ev, fold } from '../helpers.js';

const created = (id: string, t: number, text: string | null = null) =>
  ev('speech.created', t, {
    speechId: id,
    agentId: 'agent_1',
    source: text === null ? 'reply' : 'say',
    origin: 'api',
    allowInterruptions: true,
    priority: 0,
    text,
    originToolCallId: null,
    originTaskId: null,
    userTurnId: null,
  });

const run = (events: SessionEvent[]) => fold(speechQueueReducer, initialSpeechQueue, events);
const only = (events: SessionEvent[]) => run(events).items[0]!;

describe('speech queue reducer', () => {
  test('a say() shows its text once, though its text event repeats it', () => {
    const item = only([
      created('s9', 0, 'One moment please.'),
      ev('speech.text', 5, { speechId: 's9', step: 0, delta: 'One moment please.' }),
    ]);
    expect(item.text).toBe('One moment please.');
  });

  const playing = [
    created('s1', 0),
    ev('speech.queued', 0, { speechId: 's1', step: 0, state: 'queued' }),
    ev('speech.generating', 10, { speechId: 's1', step: 0, state: 'generating' }),
    ev('speech.text', 20, { speechId: 's1', step: 0, delta: 'Hello there. ' }),
    ev('speech.text', 30, { speechId: 's1', step: 0, delta: 'How are you today?' }),
    ev('speech.segment', 40, {
      speechId: 's1',
      step: 0,
      textIndex: 0,
      text: 'Hello there. ',
      audioMs: 1000,
    }),
    ev('speech.segment', 50, {
      speechId: 's1',
      step: 0,
      textIndex: 1,
      text: 'How are you today?',
      audioMs: 2000,
    }),
    ev('speech.playing', 100, { speechId: 's1', step: 0, state: 'playing' }),
  ];

  test('a handle goes queued → generating → playing with its text and segments', () => {
    expect(only(playing.slice(0, 2)).state).toBe('queued');
    expect(only(playing.slice(0, 3)).state).toBe('generating');
    const s = only(playing);
    expect(s).toMatchObject({
      state: 'playing',
      text: 'Hello there. How are you today?',
      playingSince: 100,
    });
    expect(s.segments).toHaveLength(2);
  });

  test('play time maps onto words: heard, not yet heard', () => {
    const s = only(playing);
    expect(speechTextParts(s, 100)).toMatchObject({
      spoken: '',
      pending: 'Hello there. How are you today?',
    });
    expect(speechTextParts(s, 1100)).toMatchObject({ spoken: 'Hello there.', playedMs: 1000 });
    // Half of the second sentence: "How are" (half a word is not heard).
    expect(speechTextParts(s, 2100).spoken).toBe('Hello there. How are ');
    // Playback cannot run past the audio produced.
    expect(speechTextParts(s, 9999)).toMatchObject({ pending: '', playedMs: 3000 });
  });

  test('a pause stops the clock and a resume restarts it', () => {
    const s = only([
      ...playing,
      ev('speech.paused', 600, { speechId: 's1', step: 0, state: 'paused', playedMs: 500 }),
    ]);
    expect(s.state).toBe('paused');
    expect(speechTextParts(s, 5000).playedMs).toBe(500);
    const r = speechQueueReducer(
      { items: [s] },
      ev('speech.resumed', 2000, { speechId: 's1', step: 0, state: 'playing' }),
    ).items[0]!;
    expect(speechTextParts(r, 2700).playedMs).toBe(1200);
  });

  test('interrupted: the final spoken text wins and the rest is cut off', () => {
    const s = only([
      ...playing,
      ev('speech.interrupted', 1300, {
        speechId: 's1',
        step: 0,
        state: 'interrupting',
        by: 'user_speech',
        force: false,
      }),
      ev('speech.done', 1350, {
        speechId: 's1',
        state: 'done',
        reason: 'interrupted',
        playedMs: 1250,
        totalMs: 3000,
        spokenText: 'Hello there.',
        fullText: 'Hello there. How are you today?',
        error: null,
      }),
    ]);
    expect(s).toMatchObject({
      state: 'done',
      end: 'interrupted',
      interruptedBy: 'user_speech',
      doneAt: 1350,
    });
    expect(speechTextParts(s, 99_999)).toEqual({
      spoken: 'Hello there.',
      pending: '',
      cut: 'How are you today?',
      playedMs: 1250,
    });
  });

  test('steps of one handle are kept apart and awaiting tools stops the play clock', () => {
    const s = only([
      created('s1', 0),
      ev('speech.text', 1, { speechId: 's1', step: 0, delta: 'Let me check.' }),
      ev('speech.segment', 2, {
        speechId: 's1',
        step: 0,
        textIndex: 0,
        text: 'Let me check.',
        audioMs: 800,
      }),
      ev('speech.playing', 10, { speechId: 's1', step: 0, state: 'playing' }),
      ev('speech.awaiting_tools', 900, {
        speechId: 's1',
        step: 0,
        state: 'awaiting_tools',
        toolCallIds: ['call_1'],
      }),
      ev('speech.text', 1500, { speechId: 's1', step: 1, delta: 'It is sunny.' }),
    ]);
    expect(s.text).toBe('Let me check. It is sunny.');
    expect(s.awaitingToolCallIds).toEqual(['call_1']);
    expect(s.playingSince).toBeNull();
    expect(speechTextParts(s, 5000)).toMatchObject({ spoken: 'Let me check.', playedMs: 800 });
  });

  test('say text is known up front; unknown handles still get a row', () => {
    expect(only([created('s9', 5, 'Welcome!')]).text).toBe('Welcome!');
    const late = only([ev('speech.playing', 70, { speechId: 'sx', step: 0, state: 'playing' })]);
    expect(late).toMatchObject({ id: 'sx', state: 'playing', createdAt: 70 });
  });

  test('done handles are bounded, live ones kept', () => {
    const events: SessionEvent[] = [created('live', 0)];
    for (let i = 0; i < MAX_DONE_SPEECHES + 15; i++) {
      events.push(created(`d${i}`, i));
      events.push(
        ev('speech.done', i, {
          speechId: `d${i}`,
          state: 'done',
          reason: 'completed',
          playedMs: 1,
          totalMs: 1,
          spokenText: 'x',
          fullText: 'x',
          error: null,
        }),
      );
    }
    const state = run(events);
    expect(state.items).toHaveLength(MAX_DONE_SPEECHES + 1);
    expect(state.items[0]!.id).toBe('live');
    expect(state.items.at(-1)!.id).toBe(`d${MAX_DONE_SPEECHES + 14}`);
  });

  test('false interruptions are counted on their handle', () => {
    const s = only([
      ...playing,
      ev('user.false_interruption', 700, { speechId: 's1', resumed: true }),
    ]);
    expect(s.falseInterruptions).toBe(1);
  });

  test('other events leave the state untouched', () => {
    const state = run(playing);
    expect(speechQueueReducer(state, ev('user.state', 1, { state: 'speaking' }))).toBe(state);
  });
});

describe('text helpers', () => {
  test('prefixEnd tolerates whitespace differences', () => {
    expect(prefixEnd('Hello  there. How', 'Hello there.')).toBe(13);
    expect(prefixEnd('Hello there', 'Goodbye')).toBe(-1);
  });

  test('charsPlayed assumes a segment it cannot find sits at the cursor', () => {
    expect(charsPlayed('abc def', [{ text: 'zzz', audioMs: 100 }], 100)).toBe(3);
    expect(charsPlayed('one two three', [{ text: 'one two three', audioMs: 300 }], 200)).toBe(8);
  });
});
