import { describe, expect, it } from 'vitest';
import {
  Agent,
  type ModelCallContext,
  ProviderError,
  type SynthesizedAudio,
  type TTS,
  toneFrame,
} from 'voxagent';
import { settle, startHarness } from './harness.js';

/** A TTS that fails its first `failures` requests, before or after the first frame. */
function flakyTTS(
  failures: number,
  after: 'before-audio' | 'after-audio',
): TTS & { calls: number } {
  const tts = {
    label: 'flaky-tts',
    sampleRate: 16000,
    calls: 0,
    async *synthesize(
      text: AsyncIterable<string>,
      ctx: ModelCallContext,
    ): AsyncIterable<SynthesizedAudio> {
      const call = ++tts.calls;
      let index = 0;
      for await (const _piece of text) {
        if (call <= failures && after === 'before-audio') {
          throw new ProviderError('flaky.tts', 'service unavailable', {
            status: 503,
            retryable: true,
          });
        }
        for (let i = 0; i < 10; i++) {
          yield { frame: toneFrame(20, 16000), textIndex: index };
          if (call <= failures && after === 'after-audio' && i === 4) {
            throw new ProviderError('flaky.tts', 'stream cut', { retryable: true });
          }
        }
        await ctx.clock.sleep(0);
        index++;
      }
    },
  };
  return tts;
}

describe('provider retries happen only while nothing was heard', () => {
  it('a TTS failing before its first audio is asked again, with backoff, and the speech plays', async () => {
    const tts = flakyTTS(1, 'before-audio');
    const h = await startHarness(new Agent({ name: 'A', instructions: 'x' }), {
      session: { tts, retry: { attempts: 2, baseDelayMs: 100 } },
    });
    const handle = h.session.say('Hello after a hiccup.');
    await settle(h);
    expect(tts.calls).toBe(2);
    expect(handle.endReason).toBe('completed');
    expect(h.of('warning').map((w) => w.code)).toEqual(['provider_retry']);
    expect(h.of('speech.playing')[0]!.t).toBe(100);
    expect(h.of('speech.done')[0]).toMatchObject({
      spokenText: 'Hello after a hiccup.',
      totalMs: 200,
    });
  });

  it('a TTS failing after audio was heard is not repeated: the speech fails with one error', async () => {
    const tts = flakyTTS(1, 'after-audio');
    const h = await startHarness(new Agent({ name: 'A', instructions: 'x' }), {
      session: { tts, retry: { attempts: 2, baseDelayMs: 100 } },
    });
    const handle = h.session.say('This will be cut.');
    await settle(h);
    expect(tts.calls).toBe(1);
    expect(handle.endReason).toBe('failed');
    expect(h.of('error')).toHaveLength(1);
    expect(h.of('error')[0]).toMatchObject({ source: 'flaky.tts', code: 'provider_error' });
  });
});

describe('each provider retries only its own request, one warning per attempt', () => {
  it('an LLM that keeps failing: its retries only, then one error (no retry inside the TTS)', async () => {
    const tts = flakyTTS(0, 'before-audio');
    const h = await startHarness(new Agent({ name: 'A', instructions: 'x' }), {
      responses: [
        {
          error: { message: 'HTTP 503: overloaded', status: 503, retryable: true },
          repeat: true,
        },
      ],
      session: { tts, retry: { attempts: 2, baseDelayMs: 500 } },
    });
    const handle = h.session.generateReply({ userInput: 'hello' });
    await settle(h);
    expect(handle.endReason).toBe('failed');
    expect(h.llm.requests).toHaveLength(3);
    expect(h.of('warning').map((w) => [w.t, w.message])).toEqual([
      [0, 'fake-llm: HTTP 503: overloaded; retrying in 500 ms (attempt 2 of 3)'],
      [500, 'fake-llm: HTTP 503: overloaded; retrying in 1000 ms (attempt 3 of 3)'],
    ]);
    expect(h.of('error').map((e) => [e.t, e.source])).toEqual([[1500, 'fake-llm']]);
    // The TTS was never asked for anything, let alone asked again.
    expect(tts.calls).toBe(1);
  });

  it('a TTS that keeps failing before audio: its own retries, one warning each', async () => {
    const tts = flakyTTS(5, 'before-audio');
    const h = await startHarness(new Agent({ name: 'A', instructions: 'x' }), {
      responses: [{ text: 'Hello there.' }],
      session: { tts, retry: { attempts: 2, baseDelayMs: 100 } },
    });
    const handle = h.session.generateReply({ userInput: 'hello' });
    await settle(h);
    expect(handle.endReason).toBe('failed');
    expect(h.llm.requests).toHaveLength(1);
    expect(tts.calls).toBe(3);
    expect(h.of('warning').map((w) => [w.t, w.message])).toEqual([
      [0, 'flaky.tts: service unavailable; retrying in 100 ms (attempt 2 of 3)'],
      [100, 'flaky.tts: service unavailable; retrying in 200 ms (attempt 3 of 3)'],
    ]);
    expect(h.of('error').map((e) => [e.t, e.source])).toEqual([[300, 'flaky.tts']]);
  });
});
