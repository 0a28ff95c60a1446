import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAITTS } from 'voxagent/openai';
import { VirtualClock } from '../../src/runtime/clock/virtual-clock.js';
import { UsageError } from '../../src/runtime/core/errors.js';
import type { SynthesizedAudio } from '../../src/runtime/models/tts.js';
import {
  closedPortUrl,
  FakeOpenAIServer,
  fakePcm,
  speechSamples,
} from '../support/fake-openai-server.js';
import {
  collect,
  expectProviderError,
  Feed,
  failureOf,
  pieces,
  SECRET_KEY,
  testContext,
} from './helpers.js';

let server: FakeOpenAIServer;
beforeEach(async () => {
  server = await FakeOpenAIServer.start();
});
afterEach(async () => {
  await server.close();
});

const tts = (extra: Partial<ConstructorParameters<typeof OpenAITTS>[0]> = {}) =>
  new OpenAITTS({ apiKey: SECRET_KEY, baseURL: server.url, voice: 'nova', ...extra });

function samplesOf(audio: SynthesizedAudio[], textIndex: number): Int16Array {
  const frames = audio.filter((a) => a.textIndex === textIndex).map((a) => a.frame.data);
  const out = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

describe('OpenAITTS', () => {
  it('streams 20 ms frames of 24 kHz PCM per piece, tagged with the piece index', async () => {
    const texts = ['Hello there.', 'How are you today?'];
    const audio = await collect(tts().synthesize(pieces(...texts), testContext()));
    expect(audio.every((a) => a.frame.sampleRate === 24_000 && a.frame.channels === 1)).toBe(true);
    // Every frame but each piece's last is exactly 20 ms.
    for (const index of [0, 1]) {
      const frames = audio.filter((a) => a.textIndex === index);
      expect(frames.slice(0, -1).every((a) => a.frame.samplesPerChannel === 480)).toBe(true);
      const expected = fakePcm(speechSamples(texts[index]!));
      const got = samplesOf(audio, index);
      expect(got.length).toBe(expected.length / 2);
      expect(Buffer.from(got.buffer).equals(expected)).toBe(true);
    }
    expect(audio.findIndex((a) => a.textIndex === 1)).toBeGreaterThan(
      audio.findLastIndex((a) => a.textIndex === 0),
    );
    expect(server.requests.map((r) => r.body)).toEqual(
      texts.map((input) => ({
        model: 'gpt-4o-mini-tts',
        voice: 'nova',
        input,
        response_format: 'pcm',
      })),
    );
  });

  it('starts speaking the first sentence while later text is still coming', async () => {
    const text = new Feed<string>();
    const iterator = tts().synthesize(text, testContext())[Symbol.asyncIterator]();
    text.push('First sentence.');
    const first = await iterator.next();
    expect(first.value).toMatchObject({ textIndex: 0 });
    expect(server.requests).toHaveLength(1);
    text.push('Second one.');
    text.end();
    const rest: SynthesizedAudio[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value);
    expect(rest.at(-1)?.textIndex).toBe(1);
  });

  it('requests the next piece while the current one is still streaming', async () => {
    server.speech({ type: 'audio', holdAfterBytes: 3003 }, { type: 'audio' });
    const run = collect(
      tts().synthesize(pieces('One long first sentence.', 'Next.'), testContext()),
    );
    await server.held();
    await server.waitForRequests(2);
    server.release();
    const audio = await run;
    expect(new Set(audio.map((a) => a.textIndex))).toEqual(new Set([0, 1]));
  });

  it('a piece with nothing to pronounce keeps its index but costs no request', async () => {
    const audio = await collect(
      tts().synthesize(pieces('Hi.', '  ', '…?!', 'Bye.'), testContext()),
    );
    expect([...new Set(audio.map((a) => a.textIndex))]).toEqual([0, 3]);
    expect(server.requests.map((r) => r.body.input)).toEqual(['Hi.', 'Bye.']);
  });

  it('401 on a later piece: the earlier audio, then a non-retryable error', async () => {
    server.speech({ type: 'audio' }, { type: 'status', status: 401 });
    const { error, items } = await failureOf(
      tts().synthesize(pieces('Hi.', 'Bye.'), testContext()),
    );
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((a) => a.textIndex === 0)).toBe(true);
    expectProviderError(error, {
      provider: 'openai.tts',
      status: 401,
      retryable: false,
      hint: 'check OPENAI_API_KEY',
    });
  });

  it('500 and 429 are retryable; retry-after is passed on', async () => {
    server.speech(
      { type: 'status', status: 503 },
      { type: 'status', status: 429, retryAfter: '0.5' },
    );
    expectProviderError((await failureOf(tts().synthesize(pieces('a'), testContext()))).error, {
      provider: 'openai.tts',
      status: 503,
      retryable: true,
      hint: 'the provider failed: retry in a moment',
    });
    expectProviderError((await failureOf(tts().synthesize(pieces('a'), testContext()))).error, {
      provider: 'openai.tts',
      status: 429,
      retryable: true,
      retryAfterMs: 500,
      hint: 'rate limited: wait and retry, or raise your quota',
    });
  });

  it('audio cut mid-body: the audio received, then a retryable error', async () => {
    server.speech({ type: 'cut', bytes: 4800 });
    const { error, items } = await failureOf(
      tts().synthesize(pieces('Some words here.'), testContext()),
    );
    expect(items.reduce((n, a) => n + a.frame.samplesPerChannel, 0)).toBe(2400);
    expectProviderError(error, { provider: 'openai.tts', retryable: true, hint: /retry/ });
  });

  it('connection refused', async () => {
    const baseURL = await closedPortUrl();
    const { error } = await failureOf(
      new OpenAITTS({ apiKey: SECRET_KEY, baseURL }).synthesize(pieces('Hi.'), testContext()),
    );
    expectProviderError(error, {
      provider: 'openai.tts',
      retryable: true,
      hint: `is OPENAI_BASE_URL right? (using ${new URL(baseURL).host})`,
    });
  });

  it('aborting the signal stops the stream with its reason', async () => {
    server.speech({ type: 'audio', holdAfterBytes: 2002 });
    const ctx = testContext();
    const iterator = tts()
      .synthesize(pieces('A fairly long sentence.'), ctx)
      [Symbol.asyncIterator]();
    await iterator.next();
    await server.held();
    const reason = new Error('interrupted');
    const next = (async () => {
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) {}
    })();
    ctx.abort(reason);
    await expect(next).rejects.toBe(reason);
  });

  it('a long reply leaves no abort listeners behind (no MaxListenersExceededWarning)', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const ctx = testContext();
      const texts = Array.from({ length: 25 }, (_, i) => `Sentence number ${i + 1}.`);
      const audio = await collect(tts().synthesize(pieces(...texts), ctx));
      expect(new Set(audio.map((a) => a.textIndex)).size).toBe(25);
      // The caller's signal carries nothing of the synthesis once it is over.
      expect(getEventListeners(ctx.signal, 'abort')).toHaveLength(0);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });
});

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

describe('OpenAITTS bounds', () => {
  for (const step of [{ type: 'stall' }, { type: 'hang' }] as const) {
    it(`the first audio never comes (${step.type}): a timeout on the session clock`, async () => {
      server.speech(step);
      const clock = new VirtualClock({ autoAdvance: false });
      const run = watch(
        failureOf(
          tts({ firstByteTimeoutMs: 3000 }).synthesize(pieces('Hello.'), testContext(clock)),
        ),
      );
      await server.waitForRequests(1);
      await clock.advance(2999);
      expect(run.settled).toBe(false);
      await clock.advance(1);
      const { error, items } = await run.result;
      expect(items).toEqual([]);
      expectProviderError(error, {
        provider: 'openai.tts',
        retryable: true,
        hint: 'the speech server is overloaded or stuck: retry, or raise firstByteTimeoutMs',
        message: /timed out: no audio within 3000 ms of asking for a sentence/,
      });
    });
  }

  it('audio that stops mid-sentence: a stall timeout, separately configured', async () => {
    server.speech({ type: 'audio', holdAfterBytes: 3003 });
    const clock = new VirtualClock({ autoAdvance: false });
    const stream = tts({ firstByteTimeoutMs: 60_000, stallTimeoutMs: 2000 }).synthesize(
      pieces('A fairly long sentence to speak.'),
      testContext(clock),
    );
    const iterator = stream[Symbol.asyncIterator]();
    // 3003 bytes come before the hold: three whole 20 ms frames (960 bytes each).
    for (let i = 0; i < 3; i++) expect((await iterator.next()).done).toBe(false);
    await server.held();
    const run = watch(failureOf({ [Symbol.asyncIterator]: () => iterator }));
    await clock.advance(1999);
    expect(run.settled).toBe(false);
    await clock.advance(1);
    const { error, items } = await run.result;
    expect(items).toEqual([]);
    expectProviderError(error, {
      provider: 'openai.tts',
      retryable: true,
      hint: 'the speech server stalled: retry, or raise stallTimeoutMs',
      message: /timed out: the audio stopped for 2000 ms in the middle of a sentence/,
    });
  });

  it('a consumer that stops reading for a long time never trips a timeout', async () => {
    const clock = new VirtualClock({ autoAdvance: false });
    const stream = tts({ firstByteTimeoutMs: 1000, stallTimeoutMs: 1000 }).synthesize(
      pieces('One sentence that is long enough.', 'And a second one.'),
      testContext(clock),
    );
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toMatchObject({ textIndex: 0 });
    // The runtime holds synthesis back while enough audio waits to be heard.
    await clock.advance(60_000);
    const rest: SynthesizedAudio[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value);
    expect(rest.at(-1)?.textIndex).toBe(1);
  });

  it('an empty body is an error naming what to check, not a silent success', async () => {
    server.speech({ type: 'audio' }, { type: 'empty' });
    const { error, items } = await failureOf(
      tts().synthesize(pieces('Hi.', 'Nothing comes back for this.'), testContext()),
    );
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((a) => a.textIndex === 0)).toBe(true);
    expectProviderError(error, {
      provider: 'openai.tts',
      retryable: false,
      hint: /no audio: check the model and voice, and that the server at OPENAI_BASE_URL can stream response_format "pcm"/,
      message: /no audio came back for "Nothing comes back for this\."/,
    });
  });

  it('rejects a timeout that is not a positive number, naming it', () => {
    expect(() => tts({ firstByteTimeoutMs: 0 })).toThrow(UsageError);
    expect(() => tts({ stallTimeoutMs: -1 })).toThrow(
      'OpenAITTS: stallTimeoutMs must be a number of milliseconds > 0, got -1',
    );
  });
});
