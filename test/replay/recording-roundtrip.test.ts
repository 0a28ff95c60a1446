/**
 * A recording round trip: a live-like 10-minute console session (typed turns, the `s` and
 * `i` keys, provider failures with retries, the agent's own say() and interrupt(), a hot
 * reload) recorded by SessionRecorder, saved, and replayed: the file passes its own
 * expectations and reproduces the recorded order of key events. The "live" session runs on
 * a virtual clock (a reload gives the new session a clock with a later origin, as the
 * console's real clocks have); nothing sleeps.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SessionRecorder } from '../../src/replay/recorder.js';
import { recordedExpectations } from '../../src/replay/recording-events.js';
import { runSessionFile } from '../../src/replay/runner.js';
import type { Clock } from '../../src/runtime/clock/clock.js';
import type { SessionEvent } from '../../src/runtime/events/types.js';
import { AgentSession } from '../../src/runtime/session/session.js';
import { FakeAudioOutput, FakeLLM, FakeTTS, VirtualClock } from '../../src/testing/index.js';
import makeConcierge from './fixtures/recorded/concierge.js';

const agentModule = new URL('./fixtures/recorded/concierge.ts', import.meta.url).pathname;

/** A session clock that started `origin` ms into the wall clock (a RealClock made later). */
class LaterClock implements Clock {
  readonly virtual = true;
  constructor(
    readonly wall: VirtualClock,
    readonly origin: number,
  ) {}
  now(): number {
    return this.wall.now() - this.origin;
  }
  timer(ms: number, fn: () => void): () => void {
    return this.wall.timer(ms, fn);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.wall.sleep(ms, signal);
  }
}

const llm = () =>
  new FakeLLM({
    label: 'openai/gpt-4o-mini',
    responses: [
      { when: { input: 'hello' }, text: 'Hello! How can I help?', ttftMs: 300, durationMs: 600 },
      {
        when: { input: 'book' },
        text: 'Sure, let me book that.',
        toolCalls: [{ name: 'book' }],
        ttftMs: 400,
      },
      { when: { toolResult: 'booked' }, text: 'You are booked for two at eight.', ttftMs: 200 },
      {
        when: { input: 'weather' },
        ttftMs: 1000,
        error: { message: 'rate limited', status: 429, provider: 'openai.llm' },
      },
      {
        when: { input: 'story' },
        ttftMs: 200,
        error: {
          message: 'overloaded',
          status: 503,
          retryable: true,
          retryAfterMs: 400,
          provider: 'openai.llm',
        },
      },
      {
        when: { input: 'story' },
        text: 'Once upon a time, a keeper watched the sea. Every night she climbed the stairs.',
        ttftMs: 250,
      },
      { when: { input: 'announce' }, toolCalls: [{ name: 'announce' }], ttftMs: 150 },
      { when: { toolResult: 'announced' }, text: 'Done.', ttftMs: 100 },
      { when: { input: 'hush' }, toolCalls: [{ name: 'hush' }], ttftMs: 150 },
      { when: { toolResult: 'quiet' }, text: 'Okay.', ttftMs: 100 },
      { when: { input: 'time' }, text: 'It is half past seven.', ttftMs: 300 },
      { when: { input: 'thanks' }, text: 'You are welcome, goodbye!', ttftMs: 200 },
    ],
  });

const tts = () =>
  new FakeTTS({
    label: 'openai/tts-1',
    msPerChar: 50,
    ttfbMs: 120,
    failures: [
      {
        when: 'Once upon',
        afterMs: 150,
        error: { message: 'upstream reset', status: 502, retryable: true, provider: 'openai.tts' },
      },
      {
        when: 'half past',
        afterMs: 2000,
        error: { message: 'no audio within 2000 ms', provider: 'openai.tts' },
      },
    ],
  });

/** The console's session, run by hand: typed turns, `s`, `i`, a reload, then `q`. */
async function recordConsoleSession(recorder: SessionRecorder): Promise<SessionEvent[]> {
  const wall = new VirtualClock();
  const events: SessionEvent[] = [];
  const model = llm();
  const voice = tts();
  const open = async (clock: Clock) => {
    const session = new AgentSession({
      clock,
      llm: recorder.wrapLLM(model),
      tts: recorder.wrapTTS(voice),
      output: new FakeAudioOutput(clock),
    });
    session.onAny((e) => events.push(e));
    recorder.attach(session);
    await session.start({ agent: makeConcierge() });
    return session;
  };
  const at = (s: number) => wall.sleep(Math.max(0, s * 1000 - wall.now()));
  let session = await open(wall);
  await at(1);
  session.sendUserText('hello there');
  await at(20);
  session.sendUserText('book a table please');
  await at(40);
  session.say('This is the console speaking, with a long line that gets cut short.', {
    origin: 'console',
  }); // `s`
  await at(41.5);
  await session.interrupt({ origin: 'console' }); // `i`
  await at(60);
  session.sendUserText("what's the weather");
  await at(80);
  session.sendUserText('tell me a story');
  await at(100);
  session.sendUserText('announce the closing time');
  await at(101);
  session.sendUserText('hush now');
  // A hot reload: the old session closes; the new one gets a clock made 150 ms later.
  await at(200);
  await session.close('console closed');
  await wall.sleep(150);
  session = await open(new LaterClock(wall, wall.now()));
  await at(260);
  session.sendUserText('what time is it');
  await at(300);
  session.say('A word from the console.', { origin: 'console' }); // `s`
  await at(420);
  session.sendUserText('thanks, bye');
  await at(600);
  await session.close('console closed'); // `q`
  recorder.detach();
  return events;
}

describe('a recorded 10-minute console session', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('replays, passes its own expectations and reproduces the key events in order', async () => {
    const recorder = new SessionRecorder({ agent: agentModule, name: 'console session' });
    const live = await recordConsoleSession(recorder);
    const dir = await mkdtemp(join(tmpdir(), 'voxagent-recording-'));
    dirs.push(dir);
    const file = join(dir, 'recorded.yaml');
    await recorder.save(file);
    const script = parse(await readFile(file, 'utf8')) as Record<string, unknown>;

    // Steps: typed turns, the console's say and interrupt, the reload and the quit; not the
    // agent's own say() (book, announce) nor its interrupt (hush).
    const kinds = (script.user as Record<string, unknown>[]).map((s) => Object.keys(s)[0]);
    expect(kinds).toEqual([
      'text',
      'text',
      'say',
      'interrupt',
      'text',
      'text',
      'text',
      'text',
      'reload',
      'text',
      'say',
      'text',
      'close',
    ]);
    expect(script.run).toEqual({ limit: '11m' });
    const models = script.models as {
      llm: Record<string, unknown>[];
      tts: Record<string, unknown>;
    };
    expect(models.llm.filter((r) => r.error)).toEqual([
      expect.objectContaining({
        ttft: '1s',
        error: { message: 'rate limited', status: 429, retryable: false, provider: 'openai.llm' },
      }),
      expect.objectContaining({
        error: {
          message: 'overloaded',
          status: 503,
          retryable: true,
          retryAfter: '400ms',
          provider: 'openai.llm',
        },
      }),
    ]);
    expect(models.tts.failures).toEqual([
      expect.objectContaining({ after: '150ms', error: expect.objectContaining({ status: 502 }) }),
      expect.objectContaining({
        after: '2s',
        error: expect.objectContaining({ provider: 'openai.tts' }),
      }),
    ]);

    const replay = await runSessionFile(file);
    expect(replay.errors).toEqual([]);
    expect(replay.expectations.filter((x) => !x.passed)).toEqual([]);
    expect(replay.passed).toBe(true);
    expect(replay.virtualMs).toBeGreaterThanOrEqual(600_000);
    expect(recordedExpectations(replay.eventLog)).toEqual(recordedExpectations(live));
    // The failures replay as failures: the same errors, the same retries.
    const problems = (events: readonly SessionEvent[]) =>
      events.flatMap((e) =>
        e.type === 'error' || e.type === 'warning'
          ? [`${e.type} ${e.code} ${'source' in e ? e.source : ''}`]
          : [],
      );
    expect(problems(replay.eventLog)).toEqual(problems(live));
    expect(problems(live)).toEqual([
      'error provider_error openai.llm',
      'warning provider_retry ',
      'warning provider_retry ',
      'error provider_error openai.tts',
    ]);
  });

  it('never scripts more audio than was synthesised (a huge reply cut short)', async () => {
    const recorder = new SessionRecorder({ agent: agentModule });
    const clock = new VirtualClock();
    const story = Array.from(
      { length: 400 },
      (_, i) => `This is sentence ${i + 1} of a very long story.`,
    );
    const model = new FakeLLM({
      responses: [{ when: { input: 'story' }, text: story.join(' '), ttftMs: 100 }],
      fallback: { text: 'Okay.' },
    });
    // A streaming TTS: audio comes as fast as it plays, so little is made before the cut.
    const voice = new FakeTTS({ msPerChar: 60, paced: true });
    const session = new AgentSession({
      clock,
      llm: recorder.wrapLLM(model),
      tts: recorder.wrapTTS(voice),
      output: new FakeAudioOutput(clock),
    });
    const live: SessionEvent[] = [];
    session.onAny((e) => live.push(e));
    recorder.attach(session);
    await session.start({ agent: makeConcierge() });
    session.sendUserText('tell me a long story');
    await clock.sleep(2000);
    session.sendUserText('stop');
    await clock.sleep(3000);
    await session.close('done');
    recorder.detach();
    const made = (events: readonly SessionEvent[]) =>
      events.flatMap((e) => (e.type === 'speech.done' ? [e.totalMs] : []))[0]!;
    const script = recorder.toScript() as { models: { tts: { audio: Record<string, string> } } };
    const scripted = Object.values(script.models.tts.audio).reduce(
      (sum, v) => sum + Number.parseFloat(v) * (v.endsWith('ms') ? 1 : 1000),
      0,
    );
    // What the whole text would take at that rate: about 17 minutes.
    expect(story.join(' ').length * 60).toBeGreaterThan(1_000_000);
    expect(scripted).toBeLessThanOrEqual(made(live) + 1000);
    const dir = await mkdtemp(join(tmpdir(), 'voxagent-recording-'));
    dirs.push(dir);
    const file = join(dir, 'cut.yaml');
    await recorder.save(file);
    const replay = await runSessionFile(file);
    expect(made(replay.eventLog)).toBeLessThanOrEqual(scripted);
    expect(replay.expectations.filter((x) => !x.passed)).toEqual([]);
  });
});
