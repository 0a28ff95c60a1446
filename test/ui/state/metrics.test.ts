import { expect, test } from 'vitest';
import type { SessionEvent } from '../../../src/runtime/events/types.js';
import { initialMetrics, MAX_TURN_METRICS, metricsReducer } from '../../../src/ui/state/metrics.js';
import { ev, fold, turnMetrics } from '../helpers.js';

const speech = (speechId: string, userTurnId: string | null) =>
  ev('speech.created', 0, {
    speechId,
    agentId: 'a',
    source: 'reply',
    origin: 'api',
    allowInterruptions: true,
    priority: 0,
    text: null,
    originToolCallId: null,
    originTaskId: null,
    userTurnId,
  });
const llm = (speechId: string, ttftMs: number) =>
  ev('metrics.llm', 0, {
    speechId,
    model: 'gpt-x',
    ttftMs,
    ttfsMs: null,
    durationMs: 900,
    promptTokens: 1,
    completionTokens: 1,
  });

test('LLM and TTS metrics join their user turn through the speech', () => {
  const s = fold(metricsReducer, initialMetrics, [
    ev('user.state', 0, { state: 'speaking' }),
    ev('agent.state', 0, { state: 'thinking' }),
    ev('metrics.eou', 10, { turnId: 'u1', endOfUtteranceDelayMs: 420, transcriptionDelayMs: 80 }),
    speech('s1', 'u1'),
    llm('s1', 310),
    llm('s1', 999), // a later step after tools: not the latency the user felt
    ev('metrics.tts', 20, {
      speechId: 's1',
      model: 'tts-x',
      ttfbMs: 120,
      durationMs: 500,
      characters: 10,
      audioMs: 800,
    }),
    ev('metrics.turn', 30, turnMetrics('u1', 's1', 900)),
    ev('metrics.stt', 31, { model: 'stt-x', latencyMs: 150, audioMs: 1000 }),
  ]);
  expect(s.turns).toEqual([
    {
      key: 'u1',
      t: 10,
      eouMs: 420,
      transcriptionMs: 80,
      llmTtftMs: 310,
      ttsTtfbMs: 120,
      e2eMs: 900,
      promptTokens: 2,
      completionTokens: 2,
      parts: turnMetrics('u1', 's1', 900).parts,
      endpointingSetting: null,
    },
  ]);
  expect(s).toMatchObject({ userState: 'speaking', agentState: 'thinking', sttLatencyMs: 150 });
  expect(s.models).toEqual({ llm: 'gpt-x', tts: 'tts-x', stt: 'stt-x' });
});

test('a speech with no user turn gets its own row; rows are bounded', () => {
  const events: SessionEvent[] = [speech('say1', null), llm('say1', 50)];
  for (let i = 0; i < MAX_TURN_METRICS + 5; i++) {
    events.push(ev('metrics.turn', i, turnMetrics(`u${i}`, `s${i}`, i)));
  }
  const s = fold(metricsReducer, initialMetrics, events);
  expect(s.turns).toHaveLength(MAX_TURN_METRICS);
  expect(s.turns.some((m) => m.key === 'speech:say1')).toBe(false);
  const one = fold(metricsReducer, initialMetrics, [speech('say1', null), llm('say1', 50)]);
  expect(one.turns[0]).toMatchObject({ key: 'speech:say1', llmTtftMs: 50 });
});

test('a turn keeps the parts of its latency and the setting that owned the endpointing', () => {
  const parts = { ...turnMetrics('u1', 's1', 700).parts, llmTtftMs: 200, endpointingMs: 500 };
  const s = fold(metricsReducer, initialMetrics, [
    ev('metrics.turn', 30, {
      ...turnMetrics('u1', 's1', 700),
      parts,
      endpointingSetting: 'minEndpointingDelayMs',
    }),
  ]);
  expect(s.turns[0]).toMatchObject({
    e2eMs: 700,
    parts,
    endpointingSetting: 'minEndpointingDelayMs',
  });
});
