import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAITTS } from 'voxagent/openai';
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

  it('a blank piece keeps its index but costs no request', async () => {
    const audio = await collect(tts().synthesize(pieces('Hi.', '  ', 'Bye.'), testContext()));
    expect([...new Set(audio.map((a) => a.textIndex))]).toEqual([0, 2]);
    expect(server.requests).toHaveLength(2);
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
});
