import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeepgramTTS } from 'voxagent/deepgram';
import { VirtualClock } from '../../src/runtime/clock/virtual-clock.js';
import { UsageError } from '../../src/runtime/core/errors.js';
import type { SynthesizedAudio } from '../../src/runtime/models/tts.js';
import { FakeDeepgramServer, tonePcm } from '../support/fake-deepgram-server.js';
import { closedPortUrl } from '../support/fake-openai-server.js';
import {
  collect,
  expectProviderError,
  Feed,
  failureOf,
  pieces,
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

const tts = (extra: Partial<ConstructorParameters<typeof DeepgramTTS>[0]> = {}) =>
  new DeepgramTTS({ apiKey: SECRET_KEY, baseURL: server.url, ...extra });

function bytesOf(audio: SynthesizedAudio[], textIndex: number): Buffer {
  return Buffer.concat(
    audio
      .filter((a) => a.textIndex === textIndex)
      .map((a) =>
        Buffer.from(a.frame.data.buffer, a.frame.data.byteOffset, a.frame.data.byteLength),
      ),
  );
}

describe('DeepgramTTS', () => {
  it('streams linear16 frames per piece, tagged by index, one Speak + Flush per piece', async () => {
    const texts = ['Hello there.', '   ', 'How are you?', '…'];
    const audio = await collect(tts().synthesize(pieces(...texts), testContext()));
    expect(audio.every((a) => a.frame.sampleRate === 24_000)).toBe(true);
    expect([...new Set(audio.map((a) => a.textIndex))]).toEqual([0, 2]);
    for (const index of [0, 2]) {
      const expected = tonePcm(Math.round(texts[index]!.length * 10 * 24), 24_000);
      expect(bytesOf(audio, index).equals(expected)).toBe(true);
      const frames = audio.filter((a) => a.textIndex === index);
      expect(frames.slice(0, -1).every((a) => a.frame.samplesPerChannel === 480)).toBe(true);
    }
    const conn = server.connections[0]!;
    expect(Object.fromEntries(conn.query)).toEqual({
      model: 'aura-2-thalia-en',
      encoding: 'linear16',
      sample_rate: '24000',
    });
    expect(conn.headers.authorization).toBe(`Token ${SECRET_KEY}`);
    expect(conn.messages).toEqual([
      { type: 'Speak', text: 'Hello there.' },
      { type: 'Flush' },
      { type: 'Speak', text: 'How are you?' },
      { type: 'Flush' },
    ]);
    await server.waitFor(() => conn.closed);
  });

  it('speaks the first sentence while later text is still coming', async () => {
    const text = new Feed<string>();
    const iterator = tts().synthesize(text, testContext())[Symbol.asyncIterator]();
    text.push('First.');
    expect((await iterator.next()).value).toMatchObject({ textIndex: 0 });
    text.push('Second.');
    text.end();
    const rest: SynthesizedAudio[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value);
    expect(rest.at(-1)?.textIndex).toBe(1);
  });

  it('no text: no audio, and the socket is closed', async () => {
    expect(await collect(tts().synthesize(pieces(), testContext()))).toEqual([]);
    await server.waitFor(() => server.connections[0]?.closed === true);
  });

  it('401 on upgrade: not retryable, names DEEPGRAM_API_KEY', async () => {
    server.speak({ reject: 401 });
    const { error } = await failureOf(tts().synthesize(pieces('Hi.'), testContext()));
    expectProviderError(error, {
      provider: 'deepgram.tts',
      status: 401,
      retryable: false,
      hint: 'check DEEPGRAM_API_KEY',
    });
  });

  it('a close with an error code mid-reply: the audio so far, then a retryable error', async () => {
    server.speak({ closeAfterFlushes: 1, closeCode: 1011 });
    const { error, items } = await failureOf(
      tts().synthesize(pieces('One.', 'Two.'), testContext()),
    );
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((a) => a.textIndex === 0)).toBe(true);
    expectProviderError(error, {
      provider: 'deepgram.tts',
      status: 1011,
      retryable: true,
      hint: 'the connection dropped: retry',
      message: /connection closed \(code 1011: fake failure\)/,
    });
  });

  it('a malformed message is a protocol error', async () => {
    server.speak({ malformedAfterFlushes: 0 });
    const { error } = await failureOf(tts().synthesize(pieces('One.'), testContext()));
    expectProviderError(error, {
      provider: 'deepgram.tts',
      retryable: false,
      hint: 'is DEEPGRAM_BASE_URL pointing at a real deepgram endpoint?',
    });
  });

  it('connection refused', async () => {
    const baseURL = (await closedPortUrl()).replace('/v1', '');
    const { error } = await failureOf(
      new DeepgramTTS({ apiKey: SECRET_KEY, baseURL }).synthesize(pieces('Hi.'), testContext()),
    );
    expectProviderError(error, {
      provider: 'deepgram.tts',
      retryable: true,
      hint: `is DEEPGRAM_BASE_URL right? (using ${new URL(baseURL).host})`,
    });
  });

  it('aborting the signal closes the socket and rethrows the reason', async () => {
    const ctx = testContext();
    const text = new Feed<string>();
    const iterator = tts().synthesize(text, ctx)[Symbol.asyncIterator]();
    text.push('First.');
    await iterator.next();
    const reason = new Error('interrupted');
    ctx.abort(reason);
    await expect(
      (async () => {
        for (let r = await iterator.next(); !r.done; r = await iterator.next()) {}
      })(),
    ).rejects.toBe(reason);
    await server.waitFor(() => server.connections[0]!.closed);
  });
});

/** Polls `check` between event-loop turns (real I/O must happen first); bounded. */
async function until(check: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100_000 && !check(); turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(check()).toBe(true);
}

/** Whether `promise` has settled yet (checked after the clock moved). */
function watch<T>(promise: Promise<T>): { readonly settled: boolean; readonly result: Promise<T> } {
  let settled = false;
  const result = promise.finally(() => {
    settled = true;
  });
  result.catch(() => {});
  return {
    get settled() {
      return settled;
    },
    result,
  };
}

describe('DeepgramTTS bounds', () => {
  it('no audio after a Flush: a first-byte timeout on the session clock', async () => {
    server.speak({ stallAfterFlushes: 0 });
    const clock = new VirtualClock({ autoAdvance: false });
    const run = watch(
      failureOf(tts({ firstByteTimeoutMs: 3000 }).synthesize(pieces('Hello.'), testContext(clock))),
    );
    await server.waitFor(() => server.connections[0]?.messages.length === 2);
    await clock.advance(2999);
    expect(run.settled).toBe(false);
    await clock.advance(1);
    const { error, items } = await run.result;
    expect(items).toEqual([]);
    expectProviderError(error, {
      provider: 'deepgram.tts',
      retryable: true,
      hint: 'the speech server is overloaded or stuck: retry, or raise firstByteTimeoutMs',
      message: /timed out: no audio within 3000 ms of asking for a sentence/,
    });
    await server.waitFor(() => server.connections[0]!.closed);
  });

  it('waiting for text is not bounded; the bound starts when a piece is sent', async () => {
    server.speak({ stallAfterFlushes: 1 });
    const clock = new VirtualClock({ autoAdvance: false });
    const text = new Feed<string>();
    const iterator = tts({ firstByteTimeoutMs: 1000, stallTimeoutMs: 1000 })
      .synthesize(text, testContext(clock))
      [Symbol.asyncIterator]();
    text.push('First one.'); // 100 ms: five whole frames
    for (let i = 0; i < 5; i++)
      expect((await iterator.next()).value).toMatchObject({ textIndex: 0 });
    const rest = watch(failureOf({ [Symbol.asyncIterator]: () => iterator }));
    // Once the piece is flushed nothing is owed, so no timer may be left running.
    await until(() => clock.pendingTimers === 0);
    await clock.advance(60_000);
    expect(rest.settled).toBe(false);
    // The server never answers this one: the bound counts from when it was sent.
    text.push('Late and never answered.');
    await server.waitFor(() => server.connections[0]!.messages.length === 4);
    await clock.advance(999);
    expect(rest.settled).toBe(false);
    await clock.advance(1);
    expect((await rest.result).error).toMatchObject({
      message: 'timed out: no audio within 1000 ms of asking for a sentence',
    });
  });

  it('audio that stops mid-sentence: a stall timeout, separately configured', async () => {
    server.speak({ stallAfterFlushes: 0, stallMidAudio: true });
    const clock = new VirtualClock({ autoAdvance: false });
    const stream = tts({ firstByteTimeoutMs: 60_000, stallTimeoutMs: 2000 }).synthesize(
      pieces('A sentence of some length.'),
      testContext(clock),
    );
    const iterator = stream[Symbol.asyncIterator]();
    // Half of 26 characters × 10 ms at 24 kHz: 3120 samples, six whole 20 ms frames.
    for (let i = 0; i < 6; i++) expect((await iterator.next()).done).toBe(false);
    const run = watch(failureOf({ [Symbol.asyncIterator]: () => iterator }));
    await clock.advance(1999);
    expect(run.settled).toBe(false);
    await clock.advance(1);
    const { error } = await run.result;
    expectProviderError(error, {
      provider: 'deepgram.tts',
      retryable: true,
      hint: 'the speech server stalled: retry, or raise stallTimeoutMs',
      message: /timed out: the audio stopped for 2000 ms in the middle of a sentence/,
    });
  });

  it('a sentence flushed with no audio is an error, not a silent success', async () => {
    server.speak({ emptyAfterFlushes: 1 });
    const { error, items } = await failureOf(
      tts().synthesize(pieces('One.', 'Two and nothing.'), testContext()),
    );
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((a) => a.textIndex === 0)).toBe(true);
    expectProviderError(error, {
      provider: 'deepgram.tts',
      retryable: false,
      hint: 'Deepgram flushed a sentence with no audio: check the model (voice) and the text',
      message: /no audio came back for "Two and nothing\."/,
    });
  });

  it('rejects a timeout that is not a positive number, naming it', () => {
    expect(() => tts({ firstByteTimeoutMs: Number.NaN })).toThrow(UsageError);
    expect(() => tts({ stallTimeoutMs: 0 })).toThrow(
      'DeepgramTTS: stallTimeoutMs must be a number of milliseconds > 0, got 0',
    );
  });
});
