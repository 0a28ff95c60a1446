import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Agent,
  AgentSession,
  type AgentSessionOptions,
  type AudioFrame,
  type AudioInput,
  type EventOf,
  type SessionEvent,
  type SessionEventName,
  toneFrame,
} from 'voxagent';
import { DeepgramSTT, DeepgramTTS } from 'voxagent/deepgram';
import { OpenAILLM } from 'voxagent/openai';
import { FakeDeepgramServer, results, speechStarted } from '../support/fake-deepgram-server.js';
import { FakeOpenAIServer } from '../support/fake-openai-server.js';
import { SECRET_KEY } from './helpers.js';

/**
 * Speech in through DeepgramSTT, a reply from OpenAILLM, speech out through DeepgramTTS:
 * a real AgentSession (real clock) against both local servers.
 */

let deepgram: FakeDeepgramServer;
let openai: FakeOpenAIServer;
let session: AgentSession | undefined;
let events: SessionEvent[];
const waiters = new Set<() => void>();

beforeEach(async () => {
  [deepgram, openai] = await Promise.all([FakeDeepgramServer.start(), FakeOpenAIServer.start()]);
  events = [];
});
afterEach(async () => {
  await session?.close();
  session = undefined;
  await Promise.all([deepgram.close(), openai.close()]);
});

/** A microphone that says `ms` of tone at once, then stays open (silent) until closed. */
function microphone(ms: number): AudioInput {
  return {
    label: 'test-mic',
    sampleRate: 16_000,
    async *frames(signal: AbortSignal): AsyncGenerator<AudioFrame> {
      for (let at = 0; at < ms; at += 20) yield toneFrame(20, 16_000, 440, 8000, at * 16);
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    },
  };
}

async function startSession(
  input: AudioInput,
  tts: { firstByteTimeoutMs?: number; stallTimeoutMs?: number } = {},
  options: Partial<AgentSessionOptions> = {},
): Promise<AgentSession> {
  const s = new AgentSession({
    stt: new DeepgramSTT({ apiKey: SECRET_KEY, baseURL: deepgram.url }),
    llm: new OpenAILLM({ apiKey: SECRET_KEY, baseURL: openai.url }),
    tts: new DeepgramTTS({ apiKey: SECRET_KEY, baseURL: deepgram.url, ...tts }),
    input,
    turnDetection: { minEndpointingDelayMs: 50 },
    ...options,
  });
  s.onAny((e) => {
    events.push(e);
    for (const check of [...waiters]) check();
  });
  await s.start({ agent: new Agent({ name: 'Listener', instructions: 'Be brief.' }) });
  session = s;
  return s;
}

/** The first event of a type (after index `after`); the bound only guards against a hang. */
function next<K extends SessionEventName>(type: K, after = 0): Promise<EventOf<K>> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = events.slice(after).find((e) => e.type === type);
      if (!found) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve(found as EventOf<K>);
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`no ${type} event`));
    }, 5000);
    waiters.add(check);
    check();
  });
}

describe('session over Deepgram STT + TTS', () => {
  it('a spoken turn is transcribed, answered and spoken', async () => {
    deepgram.listen({
      steps: [
        { atMs: 100, send: speechStarted(0.1) },
        { atMs: 300, send: results('what time', { start: 0, duration: 0.3, isFinal: false }) },
        {
          atMs: 600,
          send: results('what time is it', {
            start: 0,
            duration: 0.6,
            isFinal: true,
            speechFinal: true,
          }),
        },
      ],
    });
    openai.chat({ type: 'reply', text: ['It is ', 'noon.'] });
    await startSession(microphone(600));
    const done = await next('speech.done');
    expect(done).toMatchObject({ reason: 'completed', spokenText: 'It is noon.' });
    expect(events.find((e) => e.type === 'user.turn')).toMatchObject({
      text: 'what time is it',
      source: 'speech',
    });
    expect(
      events
        .filter((e) => e.type === 'user.transcript')
        .map((e) => e.type === 'user.transcript' && e.text),
    ).toEqual(['what time', 'what time is it']);
    expect(events.find((e) => e.type === 'metrics.stt')).toMatchObject({
      model: 'deepgram/nova-3',
    });
    expect(events.find((e) => e.type === 'metrics.tts')).toMatchObject({
      model: 'deepgram/aura-2-thalia-en',
    });
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(JSON.stringify(events)).not.toContain(SECRET_KEY);
  });

  it('a 401 from Deepgram STT is an error event; the restarted stage then works', async () => {
    deepgram.listen(
      { reject: 401 },
      {
        steps: [
          { atMs: 0, send: speechStarted(0) },
          {
            atMs: 0,
            send: results('are you there', {
              start: 0,
              duration: 0.5,
              isFinal: true,
              speechFinal: true,
            }),
          },
        ],
      },
    );
    openai.chat({ type: 'reply', text: ['Yes.'] });
    await startSession(microphone(200));
    const error = await next('error');
    expect(error.message).toMatch(/401/);
    expect(error).toMatchObject({
      code: 'stt_failed',
      source: 'deepgram.stt',
      status: 401,
      recoverable: true,
    });
    expect(error.message).toContain('DEEPGRAM_API_KEY');
    expect(error.message).not.toContain(SECRET_KEY);
    const done = await next('speech.done');
    expect(done).toMatchObject({ reason: 'completed', spokenText: 'Yes.' });
    expect(JSON.stringify(events)).not.toContain(SECRET_KEY);
  });

  it('a TTS connection closing before any audio is retried and the turn plays', async () => {
    deepgram.listen({
      steps: [
        { atMs: 0, send: speechStarted(0) },
        {
          atMs: 0,
          send: results('hello', { start: 0, duration: 0.5, isFinal: true, speechFinal: true }),
        },
      ],
    });
    deepgram.speak({ closeAfterFlushes: 0, closeCode: 1011 });
    openai.chat({ type: 'reply', text: ['Hi.'] });
    await startSession(microphone(0));
    const done = await next('speech.done');
    expect(done).toMatchObject({ reason: 'completed', spokenText: 'Hi.' });
    expect(events.find((e) => e.type === 'warning')).toMatchObject({ code: 'provider_retry' });
    expect(events.some((e) => e.type === 'error')).toBe(false);
    expect(JSON.stringify(events)).not.toContain(SECRET_KEY);
  });

  it('a TTS close mid-reply (after audio was heard) fails that turn only', async () => {
    deepgram.listen({
      steps: [
        { atMs: 0, send: speechStarted(0) },
        {
          atMs: 0,
          send: results('hello', { start: 0, duration: 0.5, isFinal: true, speechFinal: true }),
        },
      ],
    });
    // 600 ms of audio, cut after 300 ms: frames have reached the output.
    deepgram.speak({ closeAfterFlushes: 0, closeCode: 1011, closeMidAudio: true, msPerChar: 200 });
    openai.chat({ type: 'reply', text: ['Hi.'] });
    const s = await startSession(microphone(0));
    const failed = await next('speech.done');
    expect(failed).toMatchObject({ reason: 'failed' });
    expect(events.find((e) => e.type === 'error')).toMatchObject({
      code: 'provider_error',
      source: 'deepgram.tts',
      status: 1011,
      message: expect.stringContaining('the connection dropped: retry'),
    });
    const count = events.length;
    s.sendUserText('again');
    expect(await next('speech.done', count)).toMatchObject({
      reason: 'completed',
      spokenText: 'ok',
    });
    expect(JSON.stringify(events)).not.toContain(SECRET_KEY);
  });
});

describe('DeepgramTTS bounds in a session', () => {
  const silentMic = () => microphone(0);

  async function failedTurn(s: AgentSession, text: string) {
    const from = events.length;
    s.sendUserText(text);
    const done = await next('speech.done', from);
    const errors = events.slice(from).filter((e) => e.type === 'error');
    const created = events.slice(from).find((e) => e.type === 'speech.created')!;
    return { done, errors, began: created.t };
  }

  async function expectNextTurnPlays(s: AgentSession): Promise<void> {
    openai.chat({ type: 'reply', text: ['Fine now.'] });
    const count = events.length;
    s.sendUserText('again');
    expect(await next('speech.done', count)).toMatchObject({
      reason: 'completed',
      spokenText: 'Fine now.',
    });
    const created = events.filter((e) => e.type === 'speech.created').map((e) => e.speechId);
    const done = events.filter((e) => e.type === 'speech.done').map((e) => e.speechId);
    expect(done.sort()).toEqual(created.sort());
  }

  it('a sentence never answered: one error within firstByteTimeoutMs, then the next turn plays', async () => {
    deepgram.speak({ stallAfterFlushes: 0 });
    openai.chat({ type: 'reply', text: ['Hello there.'] });
    const s = await startSession(
      silentMic(),
      { firstByteTimeoutMs: 300 },
      { retry: { attempts: 0 } },
    );
    const { done, errors, began } = await failedTurn(s, 'hello');
    expect(done).toMatchObject({ reason: 'failed' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 'provider_error',
      source: 'deepgram.tts',
      message: expect.stringMatching(/no audio within 300 ms.*raise firstByteTimeoutMs/),
    });
    expect(errors[0]!.t - began).toBeGreaterThanOrEqual(300);
    expect(errors[0]!.t - began).toBeLessThan(300 + 4000);
    await expectNextTurnPlays(s);
  });

  it('a sentence flushed with no audio: one error naming what to check, then the next turn plays', async () => {
    deepgram.speak({ emptyAfterFlushes: 0 });
    openai.chat({ type: 'reply', text: ['Hello there.'] });
    const s = await startSession(silentMic());
    const { done, errors } = await failedTurn(s, 'hello');
    expect(done).toMatchObject({ reason: 'failed' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      source: 'deepgram.tts',
      message: expect.stringContaining('no audio came back for "Hello there."'),
    });
    expect(errors[0]!.message).toContain('check the model (voice) and the text');
    expect(events.some((e) => e.type === 'warning')).toBe(false);
    await expectNextTurnPlays(s);
  });
});
