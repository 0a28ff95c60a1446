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
  /** Audio delivered before the failure (a stream cut halfway). Default 0. */
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

  constructor(options: FakeTTSOptions = {}) {
    this.#options = options;
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
    let deliveredMs = 0;
    for await (const piece of text) {
      if (index === 0) {
        failure = this.#failureFor(piece);
        const wait = failure ? (failure.afterMs ?? 0) : (this.#options.ttfbMs ?? 0);
        if (wait > 0) await ctx.clock.sleep(wait, ctx.signal);
      }
      for (const frame of this.#frames(this.durationOf(piece), index)) {
        if (ctx.signal.aborted || deliveredMs >= (this.#options.maxAudioMs ?? Infinity)) return;
        if (failure && deliveredMs >= (failure.afterAudioMs ?? 0)) {
          throw fakeProviderError(failure.error, this.label);
        }
        deliveredMs += frameDurationMs(frame);
        yield { frame, textIndex: index };
        if (this.#options.paced) await ctx.clock.sleep(this.#options.frameMs ?? 20, ctx.signal);
      }
      index++;
    }
    if (failure) throw fakeProviderError(failure.error, this.label);
  }

  #failureFor(firstText: string): FakeTTSFailure | undefined {
    const entry = this.#failures.find(
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
