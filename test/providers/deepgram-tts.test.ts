import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeepgramTTS } from 'voxagent/deepgram';
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
    const texts = ['Hello there.', '   ', 'How are you?'];
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
