/**
 * Recording a session whose model is a realtime (speech-to-speech) model: SessionRecorder
 * wraps it like a chat model and writes `models.realtime` (transcripts, tool calls, time to
 * first audio, the audio each response really made, failures and refused connects), and the
 * file replays the same key events, the same errors and the same truncations. The "live"
 * session is the scripted FakeRealtimeModel on a virtual clock (no network can run here).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SessionRecorder } from '../../src/replay/recorder.js';
import { recordedExpectations } from '../../src/replay/recording-events.js';
import { runSessionFile } from '../../src/replay/runner.js';
import type { SessionEvent } from '../../src/runtime/events/types.js';
import { AgentSession } from '../../src/runtime/session/session.js';
import {
  FakeAudioOutput,
  FakeLLM,
  FakeRealtimeModel,
  FakeTTS,
  VirtualClock,
} from '../../src/testing/index.js';
import makeConcierge from './fixtures/recorded/concierge.js';

const agentModule = new URL('./fixtures/recorded/concierge.ts', import.meta.url).pathname;

const liveModel = () =>
  new FakeRealtimeModel({
    label: 'openai-realtime/gpt-realtime',
    msPerChar: 50,
    connectFailures: [{ message: 'rate limited at the upgrade', status: 429, retryable: true }],
    responses: [
      { when: { input: 'hello' }, text: 'Hello! How can I help?', firstAudioMs: 300 },
      {
        when: { input: 'book' },
        text: 'Sure, let me book that.',
        toolCalls: [{ name: 'book' }],
        firstAudioMs: 400,
      },
      { when: { toolResult: 'booked' }, text: 'You are booked for two at eight.' },
      {
        when: { input: 'story' },
        text: 'Once upon a time, a keeper watched the sea. Every night she climbed the stairs.',
        firstAudioMs: 250,
      },
      {
        when: { input: 'weather' },
        text: 'The weather today is',
        firstAudioMs: 200,
        disconnect: { afterAudioMs: 400, reason: 'network' },
      },
      { when: { input: 'quiet' }, hang: true },
      { when: { input: 'thanks' }, text: 'You are welcome, goodbye!', firstAudioMs: 200 },
    ],
  });

/** A console-like session: typed turns, `s` and `i`, faults along the way. */
async function recordLiveSession(recorder: SessionRecorder, model: FakeRealtimeModel) {
  const clock = new VirtualClock();
  const events: SessionEvent[] = [];
  const session = new AgentSession({
    clock,
    llm: recorder.wrapLLM(model),
    tts: recorder.wrapTTS(new FakeTTS({ label: 'openai/tts-1', msPerChar: 50, ttfbMs: 120 })),
    output: new FakeAudioOutput(clock),
  });
  session.onAny((e) => events.push(e));
  recorder.attach(session);
  await session.start({ agent: makeConcierge() });
  const at = (s: number) => clock.sleep(Math.max(0, s * 1000 - clock.now()));
  session.sendUserText('hello there'); // refused at the upgrade: an error, then nothing
  await at(5);
  session.sendUserText('hello again');
  await at(20);
  session.sendUserText('book a table please');
  await at(40);
  session.sendUserText('tell me a story');
  await at(41.5);
  await session.interrupt({ origin: 'console' }); // `i` while the story plays
  await at(60);
  session.sendUserText("what's the weather");
  await at(80);
  session.sendUserText('be quiet for a bit');
  await at(83);
  await session.interrupt({ origin: 'console' }); // the model never answered
  await at(90);
  session.say('A word from the console.', { origin: 'console' }); // `s`
  await at(100);
  session.sendUserText('thanks, bye');
  await at(120);
  await session.close('console closed');
  recorder.detach();
  return events;
}

const problems = (events: readonly SessionEvent[]) =>
  events.flatMap((e) =>
    e.type === 'error' || e.type === 'warning' ? [`${e.type} ${e.code} ${e.message}`] : [],
  );

describe('a recorded session with a realtime model', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('is written as models.realtime and replays the same events, errors and truncations', async () => {
    const recorder = new SessionRecorder({ agent: agentModule, name: 'realtime session' });
    const model = liveModel();
    const live = await recordLiveSession(recorder, model);
    const dir = await mkdtemp(join(tmpdir(), 'voxagent-recording-'));
    dirs.push(dir);
    const file = join(dir, 'recorded.yaml');
    await recorder.save(file);
    const script = parse(await readFile(file, 'utf8')) as {
      models: { llm?: unknown; realtime: { responses: Record<string, unknown>[] }; tts: unknown };
    };
    expect(script.models.llm).toBeUndefined();
    expect(script.models.tts).toBeDefined();
    const responses = script.models.realtime.responses;
    expect(responses[0]).toEqual({
      when: { input: 'hello there', agent: 'Concierge' },
      error: {
        message: 'rate limited at the upgrade',
        status: 429,
        retryable: true,
        provider: 'openai-realtime/gpt-realtime',
      },
    });
    expect(responses[1]).toEqual({
      when: { input: 'hello again', agent: 'Concierge' },
      text: 'Hello! How can I help?',
      firstAudio: '300ms',
      audio: '1100ms',
    });
    expect(
      responses.find((r) => r.disconnect || (r.error as { status?: number })?.status === 1006),
    ).toMatchObject({ text: 'The weather', audio: '400ms', error: { afterAudio: '400ms' } });
    expect(responses.find((r) => r.hang)).toEqual({
      when: { input: 'be quiet for a bit', agent: 'Concierge' },
      hang: true,
    });

    const replay = await runSessionFile(file);
    expect(replay.errors).toEqual([]);
    expect(replay.expectations.filter((x) => !x.passed)).toEqual([]);
    expect(recordedExpectations(replay.eventLog)).toEqual(recordedExpectations(live));
    expect(problems(replay.eventLog)).toEqual(problems(live));
    expect(problems(live)).toHaveLength(2);
    let replayed: FakeRealtimeModel | undefined;
    await runSessionFile(file, {
      onSession: (_s, fakes) => {
        replayed = fakes.realtime;
      },
    });
    expect(model.truncations.length).toBeGreaterThan(0);
    expect(
      replayed?.truncations.map(({ audioEndMs, heardText }) => [audioEndMs, heardText]),
    ).toEqual(model.truncations.map(({ audioEndMs, heardText }) => [audioEndMs, heardText]));
  });

  it('refuses to write one file for a chat model and a realtime model together', async () => {
    const recorder = new SessionRecorder({ agent: agentModule });
    const clock = new VirtualClock();
    recorder.wrapLLM(new FakeRealtimeModel({ fallback: { text: 'Hi.' } }));
    const chat = recorder.wrapLLM(new FakeLLM({ fallback: { text: 'Hello.' } }));
    const signal = new AbortController().signal;
    for await (const _ of chat.chat({ messages: [], tools: [] }, { clock, signal })) {
      // drain
    }
    expect(() => recorder.toScript()).toThrow(/a chat model and a realtime model/);
  });
});
