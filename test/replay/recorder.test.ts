import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseSessionText } from '../../src/replay/load.js';
import { SessionRecorder } from '../../src/replay/recorder.js';
import { recordedExpectations } from '../../src/replay/recording-events.js';
import { runSessionScript } from '../../src/replay/runner.js';
import { Agent } from '../../src/runtime/agents/agent.js';
import type { SessionEvent } from '../../src/runtime/events/types.js';
import { AgentSession } from '../../src/runtime/session/session.js';
import { tool } from '../../src/runtime/tools/tool.js';
import {
  FakeAudioOutput,
  FakeLLM,
  FakeTTS,
  FakeUserSpeech,
  VirtualClock,
} from '../../src/testing/index.js';

const makeAgent = () =>
  new Agent({
    name: 'Weather',
    instructions: 'weather',
    tools: {
      get_weather: tool({
        description: 'weather',
        parameters: z.object({ city: z.string() }),
        execute: async ({ city }) => `sunny in ${city}`,
      }),
    },
  });

/** A "live" session: models and user scripted directly, not through a session file. */
async function liveSession(recorder: SessionRecorder): Promise<SessionEvent[]> {
  const clock = new VirtualClock();
  const llm = new FakeLLM({
    responses: [
      {
        when: { input: 'weather' },
        text: 'Let me check that for you.',
        toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
        ttftMs: 120,
        durationMs: 300,
      },
      {
        when: { toolResult: 'sunny' },
        text: 'It is sunny in Paris, a lovely day for a walk.',
        ttftMs: 80,
      },
      { when: { input: 'thanks' }, text: 'You are welcome!', ttftMs: 60 },
    ],
  });
  const user = new FakeUserSpeech([
    { startMs: 300, endMs: 1500, transcript: "What's the weather in Paris?", sttDelayMs: 150 },
    // Talks over the answer: a barge-in.
    { startMs: 3200, endMs: 4000, transcript: 'Okay thanks', sttDelayMs: 100 },
  ]);
  const output = new FakeAudioOutput(clock);
  const session = new AgentSession({
    clock,
    llm: recorder.wrapLLM(llm),
    tts: recorder.wrapTTS(new FakeTTS({ msPerChar: 50, ttfbMs: 40 })),
    stt: user,
    vad: user,
    output,
  });
  const events: SessionEvent[] = [];
  session.onAny((e) => events.push(e));
  recorder.attach(session);
  await session.start({ agent: makeAgent() });
  await clock.sleep(4000);
  await session.waitForIdle();
  clock.timer(500, () => session.sendUserText('one more thing', { source: 'text' }));
  llm.add({ when: { input: 'one more' }, text: 'Sure, go ahead.' });
  await clock.sleep(600);
  await session.waitForIdle();
  // The user leaves a little later. (Steps recorded at the very millisecond of another
  // event may replay on either side of it: live clocks rarely tie, virtual ones do.)
  await clock.sleep(100);
  await session.close('user left');
  recorder.detach();
  return events;
}

describe('SessionRecorder', () => {
  it('writes a session file that replays the recorded order of key events', async () => {
    const recorder = new SessionRecorder({ agent: './weather-agent.ts', name: 'recorded' });
    const live = await liveSession(recorder);
    const script = recorder.toScript();
    expect(script.user).toEqual([
      {
        speech: "What's the weather in Paris?",
        at: '300ms',
        duration: '1200ms',
        sttDelay: '150ms',
      },
      { speech: 'Okay thanks', at: '3200ms', duration: '800ms', sttDelay: '100ms' },
      expect.objectContaining({ text: 'one more thing' }),
      expect.objectContaining({ close: 'user left' }),
    ]);
    const replay = await runSessionScript(script, { agent: makeAgent });
    expect(replay.errors).toEqual([]);
    expect(replay.expectations.filter((x) => !x.passed)).toEqual([]);
    expect(replay.passed).toBe(true);
    // The same key events, in the same order, with the same fields.
    expect(recordedExpectations(replay.eventLog)).toEqual(recordedExpectations(live));
  });

  it('expects nothing of speech a close cut (quit or reload), in that session only', () => {
    const e = (type: string, fields: Record<string, unknown> = {}) =>
      ({ type, t: 0, seq: 0, ...fields }) as unknown as SessionEvent;
    const events = [
      e('session.started'),
      e('speech.created', { speechId: 'speech_1', source: 'reply' }),
      e('speech.interrupted', { speechId: 'speech_1', by: 'close', force: true }),
      e('speech.done', { speechId: 'speech_1', reason: 'interrupted' }),
      // A hot reload: the new session's ids start again.
      e('session.started'),
      e('speech.created', { speechId: 'speech_1', source: 'reply' }),
      e('speech.interrupted', { speechId: 'speech_1', by: 'user_speech', force: false }),
      e('speech.done', { speechId: 'speech_1', reason: 'interrupted' }),
    ];
    expect(recordedExpectations(events)).toEqual([
      { event: 'speech.created', where: { source: 'reply' } },
      { event: 'speech.created', where: { source: 'reply' } },
      { event: 'speech.interrupted', where: { by: 'user_speech' } },
      { event: 'speech.done', where: { reason: 'interrupted' } },
    ]);
  });

  it('round-trips through YAML and the schema', async () => {
    const recorder = new SessionRecorder({ agent: './noop-agent.ts' });
    await liveSession(recorder);
    const yaml = recorder.toYaml();
    const loaded = parseSessionText(yaml, `${process.cwd()}/test/replay/fixtures/recorded.yaml`);
    expect(loaded.script.models.llm?.length).toBe(4);
    expect(loaded.script.models.output).toEqual({ kind: 'reporting', pausable: true });
    expect(loaded.script.models.tts?.ttfb).toBe(40);
    expect(loaded.script.models.llm?.[0]).toMatchObject({
      when: { input: "What's the weather in Paris?", agent: 'Weather' },
      text: 'Let me check that for you.',
      toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
      ttft: 120,
      duration: 300,
    });
  });
});
