import { type AudioFrame, frameDurationMs, toneFrame } from '../runtime/audio/frame.js';
import type { ModelCallContext } from '../runtime/models/context.js';
import type { SynthesizedAudio, TTS } from '../runtime/models/tts.js';
import { type FakeProviderFailure, fakeProviderError } from './fake-llm.js';

/** A scripted synthesis failure: used once, by the first synthesis whose first text matches. */
export interface FakeTTSFailure {
  /** The synthesis's first text piece contains (string) or matches this; default: any. */
  when?: string | RegExp;
  /** Time from the first text to the failure (a timeout, a refused request). Default 0. */
  afterMs?: number;
  /** Audio delivered (after the usual `ttfbMs`) before the failure: a stream cut halfway. */
  afterAudioMs?: number;
  error: FakeProviderFailure;
}

export interface FakeTTSOptions {
  /** Audio length per character when `audioMs` has no entry. Default 60 ms. */
  msPerChar?: number;
  /** Time from the first text to the first audio. Default 0. */
  ttfbMs?: number;
  /** Exact audio length for a given text piece. */
  audioMs?: Record<string, number>;
  /**
   * Time from a given text piece reaching the TTS to its first audio; for the first piece of a
   * synthesis it replaces `ttfbMs`.
   */
  textTtfbMs?: Record<string, number>;
  sampleRate?: number;
  /** Size of the frames it yields. Default 20 ms. */
  frameMs?: number;
  /**
   * Deliver audio in real time (one frame per frame length on the clock), as streaming
   * providers do, instead of all of a piece at once. Default false.
   */
  paced?: boolean;
  label?: string;
  failures?: FakeTTSFailure[];
  /**
   * Syntheses that stop making audio (a stream still under way when its speech was
   * interrupted): each used once, by the first synthesis whose first text matches `when`;
   * after `afterAudioMs` of audio it delivers nothing more until it is aborted.
   */
  stalls?: { when?: string | RegExp; afterAudioMs: number }[];
  /**
   * Audio per synthesis stops at this length (replays: audio beyond the run's limit can
   * never be heard, and a huge text must not make hours of samples). Default: no bound.
   */
  maxAudioMs?: number;
}

/** A scripted TTS on the session clock: a tone whose length depends on the text. */
export class FakeTTS implements TTS {
  readonly label: string;
  readonly sampleRate: number;
  readonly #options: FakeTTSOptions;
  readonly #failures: { failure: FakeTTSFailure; used: boolean }[];
  readonly #stalls: { failure: { when?: string | RegExp; afterAudioMs: number }; used: boolean }[];

  constructor(options: FakeTTSOptions = {}) {
    this.#options = options;
    this.#stalls = (options.stalls ?? []).map((failure) => ({ failure, used: false }));
    this.#failures = (options.failures ?? []).map((failure) => ({ failure, used: false }));
    this.label = options.label ?? 'fake-tts';
    this.sampleRate = options.sampleRate ?? 16000;
  }

  /** The audio length this TTS produces for `text`. */
  durationOf(text: string): number {
    return this.#options.audioMs?.[text] ?? text.length * (this.#options.msPerChar ?? 60);
  }

  async *synthesize(
    text: AsyncIterable<string>,
    ctx: ModelCallContext,
  ): AsyncIterable<SynthesizedAudio> {
    let index = 0;
    let failure: FakeTTSFailure | undefined;
    let stall: { afterAudioMs: number } | undefined;
    let deliveredMs = 0;
    const ttfb = this.#options.ttfbMs ?? 0;
    // A failure with audio before it starts like a normal synthesis; one without, at once.
    const fail = async () => {
      const rest = (failure!.afterMs ?? 0) - ((failure!.afterAudioMs ?? 0) > 0 ? ttfb : 0);
      if (rest > 0) await ctx.clock.sleep(rest, ctx.signal);
      throw fakeProviderError(failure!.error, this.label);
    };
    for await (const piece of text) {
      if (index === 0) {
        failure = pick(this.#failures, piece);
        stall = pick(this.#stalls, piece);
        if (failure && (failure.afterAudioMs ?? 0) <= 0) await fail();
      }
      const wait = this.#options.textTtfbMs?.[piece] ?? (index === 0 ? ttfb : 0);
      if (wait > 0) await ctx.clock.sleep(wait, ctx.signal);
      for (const frame of this.#frames(this.durationOf(piece), index)) {
        if (ctx.signal.aborted || deliveredMs >= (this.#options.maxAudioMs ?? Infinity)) return;
        if (failure && deliveredMs >= (failure.afterAudioMs ?? 0)) await fail();
        if (stall && deliveredMs >= stall.afterAudioMs) {
          await aborted(ctx.signal);
          return;
        }
        deliveredMs += frameDurationMs(frame);
        yield { frame, textIndex: index };
        if (this.#options.paced) await ctx.clock.sleep(this.#options.frameMs ?? 20, ctx.signal);
      }
      index++;
    }
    if (failure) await fail();
  }

  *#frames(totalMs: number, index: number): Iterable<AudioFrame> {
    const frameMs = this.#options.frameMs ?? 20;
    const hz = 300 + (index % 5) * 100;
    let sample = 0;
    for (let done = 0; done < totalMs; done += frameMs) {
      const ms = Math.min(frameMs, totalMs - done);
      const frame = toneFrame(ms, this.sampleRate, hz, 8000, sample);
      sample += frame.samplesPerChannel;
      yield frame;
    }
  }
}

/** The first unused entry whose `when` the first text matches (marked used). */
function pick<T extends { when?: string | RegExp }>(
  entries: { failure: T; used: boolean }[],
  firstText: string,
): T | undefined {
  const entry = entries.find(
    ({ failure, used }) =>
      !used &&
      (failure.when === undefined ||
        (typeof failure.when === 'string'
          ? firstText.includes(failure.when)
          : failure.when.test(firstText))),
  );
  if (entry) entry.used = true;
  return entry?.failure;
}

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}
