import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeepgramSTT, requireDeepgramKey } from 'voxagent/deepgram';
import { type AudioFrame, toneFrame } from '../../src/runtime/audio/frame.js';
import { VirtualClock } from '../../src/runtime/clock/virtual-clock.js';
import { UsageError } from '../../src/runtime/core/errors.js';
import type { STTEvent } from '../../src/runtime/models/stt.js';
import {
  FakeDeepgramServer,
  results,
  speechStarted,
  utteranceEnd,
} from '../support/fake-deepgram-server.js';
import { closedPortUrl } from '../support/fake-openai-server.js';
import {
  collect,
  expectProviderError,
  Feed,
  failureOf,
  SECRET_KEY,
  testContext,
} from './helpers.js';

let server: FakeDeepgramServer;
beforeEach(async () => {
  server = await FakeDeepgramServer.start();
});
afterEach(async () => {
  await server.close();
});

const stt = (extra: Partial<ConstructorParameters<typeof DeepgramSTT>[0]> = {}) =>
  new DeepgramSTT({ apiKey: SECRET_KEY, baseURL: server.url, reconnectBackoffMs: 1, ...extra });

/** `ms` of 16 kHz audio as 20 ms frames. */
function frames(ms: number): AudioFrame[] {
  return Array.from({ length: ms / 20 }, (_, i) => toneFrame(20, 16_000, 440, 8000, i * 320));
}

async function* audio(ms: number): AsyncGenerator<AudioFrame> {
  yield* frames(ms);
}

/** Waits for a condition that I/O will make true (checked once per event-loop turn). */
async function until(check: () => boolean): Promise<void> {
  for (let turns = 0; !check(); turns++) {
    if (turns > 100_000) throw new Error('condition never held');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const final = (e: STTEvent) => (e.type === 'final' ? { type: 'final', text: e.text } : e);

describe('DeepgramSTT happy paths', () => {
  it('streams interim results, then one final per utterance, then end of speech', async () => {
    server.listen({
      steps: [
        { atMs: 100, send: speechStarted(0.1) },
        { atMs: 200, send: results('hello', { start: 0, duration: 0.2, isFinal: false }) },
        { atMs: 400, send: results('hello world', { start: 0, duration: 0.4, isFinal: true }) },
        { atMs: 600, send: results('again', { start: 0.4, duration: 0.2, isFinal: false }) },
        {
          atMs: 800,
          send: results('again', { start: 0.4, duration: 0.4, isFinal: true, speechFinal: true }),
        },
      ],
    });
    const events = await collect(stt().recognize(audio(1000), testContext()));
    expect(events.map(final)).toEqual([
      { type: 'start_of_speech' },
      { type: 'interim', text: 'hello' },
      { type: 'interim', text: 'hello world' },
      { type: 'interim', text: 'hello world again' },
      { type: 'final', text: 'hello world again' },
      { type: 'end_of_speech' },
    ]);
    const latency = events.find((e) => e.type === 'final')?.latencyMs;
    expect(latency).toBeTypeOf('number');
    expect(latency).toBeGreaterThanOrEqual(0);

    const conn = server.connections[0]!;
    expect(conn.headers.authorization).toBe(`Token ${SECRET_KEY}`);
    expect(Object.fromEntries(conn.query)).toMatchObject({
      model: 'nova-3',
      encoding: 'linear16',
      sample_rate: '16000',
      channels: '1',
      interim_results: 'true',
      endpointing: '300',
      utterance_end_ms: '1000',
      vad_events: 'true',
    });
    expect(conn.audioBytes).toBe(32_000);
    expect(conn.messages).toEqual([{ type: 'CloseStream' }]);
    await server.waitFor(() => conn.closed);
  });

  it('UtteranceEnd ends an utterance that endpointing missed; results alone start speech', async () => {
    server.listen({
      steps: [
        { atMs: 200, send: results('turn it up', { start: 0, duration: 0.2, isFinal: true }) },
        { atMs: 600, send: utteranceEnd(0.2) },
        { atMs: 700, send: utteranceEnd(0.2) },
      ],
    });
    const events = await collect(stt().recognize(audio(800), testContext()));
    expect(events.map(final)).toEqual([
      { type: 'start_of_speech' },
      { type: 'interim', text: 'turn it up' },
      { type: 'final', text: 'turn it up' },
      { type: 'end_of_speech' },
    ]);
  });

  it('results that arrive after CloseStream are still reported', async () => {
    server.listen({
      steps: [{ atMs: 100, send: speechStarted(0.05) }],
      onCloseStream: [results('last words', { start: 0, duration: 0.3, isFinal: true })],
    });
    const events = await collect(stt().recognize(audio(300), testContext()));
    expect(events.map(final)).toEqual([
      { type: 'start_of_speech' },
      { type: 'interim', text: 'last words' },
      { type: 'final', text: 'last words' },
      { type: 'end_of_speech' },
    ]);
  });

  it('sends KeepAlive on the session clock when no audio flows', async () => {
    server.listen({});
    const clock = new VirtualClock({ autoAdvance: false });
    const mic = new Feed<AudioFrame>();
    const run = collect(stt().recognize(mic, testContext(clock)));
    mic.push(...frames(40));
    // Audio at the server means the socket is open and the keep-alive timer armed.
    await server.waitFor(() => server.connections[0]?.audioBytes === 1280);
    await clock.advance(5000); // an interval with audio: no KeepAlive
    await clock.advance(5000); // an idle interval: KeepAlive
    await server.waitFor(() => server.connections[0]!.messages.length === 1);
    mic.end();
    expect(await run).toEqual([]);
    expect(server.connections[0]!.messages).toEqual([
      { type: 'KeepAlive' },
      { type: 'CloseStream' },
    ]);
  });
});

describe('DeepgramSTT faults', () => {
  it('401 on upgrade: not retryable, names DEEPGRAM_API_KEY, never shows the key', async () => {
    server.listen({ reject: 401 });
    const { error } = await failureOf(stt().recognize(audio(100), testContext()));
    expectProviderError(error, {
      provider: 'deepgram.stt',
      status: 401,
      retryable: false,
      hint: 'check DEEPGRAM_API_KEY',
      message: /HTTP 401/,
    });
  });

  it('429 on upgrade is retryable', async () => {
    server.listen({ reject: 429 });
    const { error } = await failureOf(stt().recognize(audio(100), testContext()));
    expectProviderError(error, {
      provider: 'deepgram.stt',
      status: 429,
      retryable: true,
      hint: 'rate limited: wait and retry, or raise your quota',
    });
  });

  it('connection refused: asks whether DEEPGRAM_BASE_URL is right', async () => {
    const baseURL = (await closedPortUrl()).replace('http', 'ws').replace('/v1', '');
    const { error } = await failureOf(
      new DeepgramSTT({ apiKey: SECRET_KEY, baseURL }).recognize(audio(100), testContext()),
    );
    expectProviderError(error, {
      provider: 'deepgram.stt',
      retryable: true,
      hint: `is DEEPGRAM_BASE_URL right? (using ${new URL(baseURL).host})`,
    });
  });

  it('a close with an error code mid-utterance reconnects and carries on', async () => {
    server.listen(
      {
        steps: [
          { atMs: 100, send: speechStarted(0.1) },
          { atMs: 200, send: results('hello', { start: 0, duration: 0.2, isFinal: false }) },
          { atMs: 300, close: 1011, reason: 'NET-0001' },
        ],
      },
      {
        steps: [
          {
            atMs: 200,
            send: results('hello again', {
              start: 0,
              duration: 0.2,
              isFinal: true,
              speechFinal: true,
            }),
          },
        ],
      },
    );
    const mic = new Feed<AudioFrame>();
    const run = collect(stt().recognize(mic, testContext()));
    mic.push(...frames(300));
    await server.waitFor(() => server.connections.length === 2);
    mic.push(...frames(300));
    mic.end();
    expect((await run).map(final)).toEqual([
      { type: 'start_of_speech' },
      { type: 'interim', text: 'hello' },
      { type: 'final', text: 'hello again' },
      { type: 'end_of_speech' },
    ]);
    expect(server.connections[1]!.messages).toEqual([{ type: 'CloseStream' }]);
  });

  it('the reconnect backoff runs on the session clock', async () => {
    server.listen({ steps: [{ atMs: 100, close: 1011 }] }, {});
    const clock = new VirtualClock({ autoAdvance: false });
    const mic = new Feed<AudioFrame>();
    mic.push(...frames(200));
    const run = collect(stt({ reconnectBackoffMs: 250 }).recognize(mic, testContext(clock)));
    // Armed: the keep-alive timer and the backoff sleep.
    await until(() => clock.pendingTimers === 2);
    await clock.advance(249);
    expect(server.connections).toHaveLength(1);
    await clock.advance(1);
    await server.waitFor(() => server.connections.length === 2);
    mic.end();
    expect(await run).toEqual([]);
  });

  it('without reconnects, the close is the error (status = close code)', async () => {
    server.listen({ steps: [{ atMs: 100, close: 1011, reason: 'NET-0001' }] });
    const mic = new Feed<AudioFrame>(); // a live microphone: the input never ends
    mic.push(...frames(200));
    const { error } = await failureOf(
      stt({ maxReconnectAttempts: 0 }).recognize(mic, testContext()),
    );
    expectProviderError(error, {
      provider: 'deepgram.stt',
      status: 1011,
      retryable: true,
      hint: 'the connection dropped: retry',
      message: /connection closed \(code 1011: NET-0001\)$/,
    });
  });

  it('a drop after the input ended (and before the last results) is an error, not a retry', async () => {
    server.listen({ closeStreamCode: 1011 });
    const { error } = await failureOf(stt().recognize(audio(400), testContext()));
    expectProviderError(error, {
      provider: 'deepgram.stt',
      status: 1011,
      retryable: true,
      hint: 'the connection dropped: retry',
    });
    expect(server.connections).toHaveLength(1);
  });

  it('reconnect attempts are bounded; the error says what happened', async () => {
    server.listen({ steps: [{ atMs: 100, close: 1011 }] }, { reject: 503 }, { reject: 503 });
    const mic = new Feed<AudioFrame>();
    mic.push(...frames(200));
    const { error } = await failureOf(
      stt({ maxReconnectAttempts: 2 }).recognize(mic, testContext()),
    );
    expectProviderError(error, {
      provider: 'deepgram.stt',
      status: 1011,
      retryable: true,
      hint: 'the connection dropped: retry',
      message: /code 1011\), and 2 reconnect attempts failed; last: HTTP 503$/,
    });
  });

  it('a 401 while reconnecting stops at once', async () => {
    server.listen({ steps: [{ atMs: 100, close: 1011 }] }, { reject: 401 });
    const mic = new Feed<AudioFrame>();
    mic.push(...frames(200));
    const { error } = await failureOf(
      stt({ maxReconnectAttempts: 5 }).recognize(mic, testContext()),
    );
    expectProviderError(error, {
      provider: 'deepgram.stt',
      status: 401,
      retryable: false,
      hint: 'check DEEPGRAM_API_KEY',
    });
    expect(server.connections).toHaveLength(1);
  });

  it('a policy close (1008, bad audio) is not retried', async () => {
    server.listen({ steps: [{ atMs: 100, close: 1008, reason: 'DATA-0000' }] });
    const mic = new Feed<AudioFrame>();
    mic.push(...frames(200));
    const { error } = await failureOf(stt().recognize(mic, testContext()));
    expectProviderError(error, {
      provider: 'deepgram.stt',
      status: 1008,
      retryable: false,
      hint: 'Deepgram rejected the stream: check the model, encoding and sample rate',
    });
    expect(server.connections).toHaveLength(1);
  });

  it('a malformed message is a protocol error', async () => {
    server.listen({ steps: [{ atMs: 100, raw: '{"type": "Results", "channel": ' }] });
    const { error } = await failureOf(stt().recognize(audio(400), testContext()));
    expectProviderError(error, {
      provider: 'deepgram.stt',
      retryable: false,
      hint: 'is DEEPGRAM_BASE_URL pointing at a real deepgram endpoint?',
      message: /not JSON/,
    });
  });

  it('a known message of the wrong shape is a protocol error; unknown types are ignored', async () => {
    server.listen({
      steps: [
        { atMs: 60, send: { type: 'SomethingNew', detail: 1 } },
        { atMs: 100, send: { type: 'Results', is_final: true } },
      ],
    });
    const { error } = await failureOf(stt().recognize(audio(400), testContext()));
    expectProviderError(error, {
      provider: 'deepgram.stt',
      retryable: false,
      hint: 'is DEEPGRAM_BASE_URL pointing at a real deepgram endpoint?',
      message: /a Results message of the wrong shape/,
    });
  });

  it('aborting the signal closes the socket and rethrows the reason', async () => {
    server.listen({ steps: [{ atMs: 20, send: speechStarted(0) }] });
    const ctx = testContext();
    const mic = new Feed<AudioFrame>();
    const iterator = stt().recognize(mic, ctx)[Symbol.asyncIterator]();
    mic.push(...frames(40));
    expect((await iterator.next()).value).toEqual({ type: 'start_of_speech' });
    const reason = new Error('session closed');
    const next = iterator.next();
    ctx.abort(reason);
    await expect(next).rejects.toBe(reason);
    await server.waitFor(() => server.connections[0]!.closed);
  });

  it('a missing key is a UsageError naming the variable and the offline way', () => {
    expect(() => requireDeepgramKey('stt', {})).toThrow(
      new UsageError(
        'DEEPGRAM_API_KEY is not set: export it, or type your turns instead (--stt none, offline)',
      ),
    );
    expect(() => new DeepgramSTT({ env: {} })).toThrow(UsageError);
  });

  it('DEEPGRAM_BASE_URL and DEEPGRAM_API_KEY configure it (http is turned into ws)', async () => {
    server.listen({});
    const env = {
      DEEPGRAM_API_KEY: 'env-key-5678',
      DEEPGRAM_BASE_URL: server.url.replace('ws://', 'http://'),
    };
    await collect(new DeepgramSTT({ env }).recognize(audio(40), testContext()));
    expect(server.connections[0]!.headers.authorization).toBe('Token env-key-5678');
  });
});
