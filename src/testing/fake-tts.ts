import { type AudioFrame, toneFrame } from '../runtime/audio/frame.js';
import type { ModelCallContext } from '../runtime/models/context.js';
import type { SynthesizedAudio, TTS } from '../runtime/models/tts.js';

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
}

/** A scripted TTS on the session clock: a tone whose length depends on the text. */
export class FakeTTS implements TTS {
  readonly label: string;
  readonly sampleRate: number;
  readonly #options: FakeTTSOptions;

  constructor(options: FakeTTSOptions = {}) {
    this.#options = options;
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
    for await (const piece of text) {
      if (index === 0 && (this.#options.ttfbMs ?? 0) > 0)
        await ctx.clock.sleep(this.#options.ttfbMs!, ctx.signal);
      for (const frame of this.#frames(this.durationOf(piece), index)) {
        if (ctx.signal.aborted) return;
        yield { frame, textIndex: index };
        if (this.#options.paced) await ctx.clock.sleep(this.#options.frameMs ?? 20, ctx.signal);
      }
      index++;
    }
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
