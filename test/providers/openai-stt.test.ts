import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAISTT } from 'voxagent/openai';
import { type AudioFrame, silenceFrame, toneFrame } from '../../src/runtime/audio/frame.js';
import { FakeOpenAIServer } from '../support/fake-openai-server.js';
import { EnergyVAD } from './energy-vad.js';
import {
  collect,
  expectProviderError,
  Feed,
  failureOf,
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

/** 20 ms frames at 16 kHz: `['quiet', 200], ['tone', 400]` … */
async function* audio(
  plan: Array<['quiet' | 'tone', number]>,
  rate = 16_000,
): AsyncGenerator<AudioFrame> {
  let at = 0;
  for (const [kind, ms] of plan) {
    for (let t = 0; t < ms; t += 20) {
      yield kind === 'tone' ? toneFrame(20, rate, 440, 8000, at) : silenceFrame(20, rate);
      at += (20 * rate) / 1000;
    }
  }
}

const stt = () =>
  new OpenAISTT({ apiKey: SECRET_KEY, baseURL: server.url, vad: new EnergyVAD(), language: 'en' });

describe('OpenAISTT', () => {
  it('transcribes each VAD segment: start, final with latency, end', async () => {
    server.transcription({ type: 'text', text: ' hello world ' }, { type: 'text', text: 'second' });
    const events = await collect(
      stt().recognize(
        audio([
          ['quiet', 200],
          ['tone', 400],
          ['quiet', 300],
          ['tone', 300],
          ['quiet', 300],
        ]),
        testContext(),
      ),
    );
    expect(events.map((e) => e.type)).toEqual([
      'start_of_speech',
      'final',
      'end_of_speech',
      'start_of_speech',
      'final',
      'end_of_speech',
    ]);
    const finals = events.filter((e) => e.type === 'final');
    expect(finals.map((e) => e.text)).toEqual(['hello world', 'second']);
    for (const e of finals) expect(e.latencyMs).toBeGreaterThanOrEqual(0);

    const uploads = server.requests.filter((r) => r.path === '/v1/audio/transcriptions');
    expect(uploads.map((r) => r.body)).toEqual([
      { model: 'gpt-4o-mini-transcribe', response_format: 'json', language: 'en' },
      { model: 'gpt-4o-mini-transcribe', response_format: 'json', language: 'en' },
    ]);
    // Pre-roll (what preceded the VAD's decision) + speech + the silence that ended it.
    const files = uploads.map((r) => r.file!);
    expect(files.map((f) => f.subarray(0, 4).toString('ascii'))).toEqual(['RIFF', 'RIFF']);
    expect(files.map((f) => f.readUInt32LE(24))).toEqual([16_000, 16_000]);
    expect(files.map((f) => (f.length - 44) / 2)).toEqual([11_200, 9_600]);
  });

  it('many utterances in one stream leave no abort listeners behind', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const texts = Array.from({ length: 14 }, (_, i) => `utterance ${i + 1}`);
      server.transcription(...texts.map((text) => ({ type: 'text' as const, text })));
      // One utterance after another, each once the previous one's transcript is in, as a
      // person talks (unpaced audio would have all fourteen uploads in flight at once).
      const finals: string[] = [];
      let heard = () => {};
      async function* talk(): AsyncGenerator<AudioFrame> {
        for (let i = 0; i < texts.length; i++) {
          const answered = new Promise<void>((resolve) => {
            heard = resolve;
          });
          yield* audio([
            ['tone', 300],
            ['quiet', 300],
          ]);
          await answered;
        }
      }
      const ctx = testContext();
      for await (const e of stt().recognize(talk(), ctx)) {
        if (e.type === 'final') finals.push(e.text);
        if (e.type === 'end_of_speech') heard();
      }
      expect(finals).toEqual(texts);
      expect(getEventListeners(ctx.signal, 'abort')).toHaveLength(0);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });

  it('audio that ends mid-utterance is still transcribed', async () => {
    server.transcription({ type: 'text', text: 'cut short' });
    const events = await collect(stt().recognize(audio([['tone', 200]]), testContext()));
    expect(events).toMatchObject([
      { type: 'start_of_speech' },
      { type: 'final', text: 'cut short' },
      { type: 'end_of_speech' },
    ]);
  });

  it('noise with an empty transcript gives no final', async () => {
    server.transcription({ type: 'text', text: '  ' });
    const events = await collect(
      stt().recognize(
        audio([
          ['tone', 200],
          ['quiet', 200],
        ]),
        testContext(),
      ),
    );
    expect(events.map((e) => e.type)).toEqual(['start_of_speech', 'end_of_speech']);
  });

  it('a 401 from the transcription endpoint fails the stream with a ProviderError', async () => {
    server.transcription({ type: 'status', status: 401 });
    // The microphone never ends: the error must not wait for the input to.
    const mic = new Feed<AudioFrame>();
    for await (const frame of audio([
      ['tone', 200],
      ['quiet', 200],
    ]))
      mic.push(frame);
    const { error, items } = await failureOf(stt().recognize(mic, testContext()));
    expect(items).toEqual([{ type: 'start_of_speech' }]);
    expectProviderError(error, {
      provider: 'openai.stt',
      status: 401,
      retryable: false,
      hint: 'check OPENAI_API_KEY',
    });
  });

  it('a 500 is retryable', async () => {
    server.transcription({ type: 'status', status: 502 });
    const { error } = await failureOf(
      stt().recognize(
        audio([
          ['tone', 200],
          ['quiet', 200],
        ]),
        testContext(),
      ),
    );
    expectProviderError(error, {
      provider: 'openai.stt',
      status: 502,
      retryable: true,
      hint: 'the provider failed: retry in a moment',
    });
  });

  it('asks the runtime for 16 kHz and resamples other input', async () => {
    const engine = stt();
    expect(engine.sampleRate).toBe(16_000);
    server.transcription({ type: 'text', text: 'resampled' });
    const events = await collect(
      engine.recognize(
        audio(
          [
            ['tone', 200],
            ['quiet', 200],
          ],
          48_000,
        ),
        testContext(),
      ),
    );
    expect(events.find((e) => e.type === 'final')).toMatchObject({ text: 'resampled' });
    expect(server.requests[0]!.file!.readUInt32LE(24)).toBe(16_000);
  });
});
