import type { AudioFrame } from '../runtime/audio/frame.js';
import type { VADEvent } from '../runtime/models/vad.js';
import { downmix, toMonoAt } from './pcm.js';

export interface SpeechGateOptions {
  /** A window at or above this speech probability counts as speech. */
  readonly activationThreshold: number;
  /** Below this a window counts as silence; in between, the current state goes on. */
  readonly deactivationThreshold: number;
  /** Speech must last this long before `start_of_speech` (filters clicks). */
  readonly minSpeechMs: number;
  /** Silence must last this long before `end_of_speech` (the hangover). */
  readonly minSilenceMs: number;
  /** How often `speaking` is sent while speech goes on. */
  readonly speakingIntervalMs: number;
}

/**
 * Turns per-window speech probabilities into VAD events. Time is counted in audio
 * (window lengths), never read from a clock, so the same audio gives the same events.
 */
export class SpeechGate {
  readonly #o: SpeechGateOptions;
  #speaking = false;
  /** While silent: how long speech-like windows have lasted in a row. */
  #onsetMs = 0;
  /** While speaking: time since start_of_speech, and the silence run at its end. */
  #speechMs = 0;
  #silenceMs = 0;
  #nextSpeakingAt = 0;

  constructor(options: SpeechGateOptions) {
    this.#o = options;
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  push(probability: number, windowMs: number): VADEvent[] {
    const o = this.#o;
    if (!this.#speaking) {
      this.#onsetMs = probability >= o.activationThreshold ? this.#onsetMs + windowMs : 0;
      if (this.#onsetMs < o.minSpeechMs) return [];
      this.#speaking = true;
      this.#speechMs = this.#onsetMs;
      this.#silenceMs = 0;
      this.#onsetMs = 0;
      this.#nextSpeakingAt = this.#speechMs + o.speakingIntervalMs;
      return [{ type: 'start_of_speech' }];
    }
    this.#speechMs += windowMs;
    if (probability < o.deactivationThreshold) this.#silenceMs += windowMs;
    else if (probability >= o.activationThreshold) this.#silenceMs = 0;
    if (this.#silenceMs >= o.minSilenceMs) return this.end();
    if (this.#silenceMs > 0 || this.#speechMs < this.#nextSpeakingAt) return [];
    this.#nextSpeakingAt = this.#speechMs + o.speakingIntervalMs;
    return [{ type: 'speaking', speechMs: this.#speechMs }];
  }

  /** Ends speech in progress (hangover reached, or the input ended). */
  end(): VADEvent[] {
    if (!this.#speaking) return [];
    this.#speaking = false;
    const speechMs = this.#speechMs - this.#silenceMs;
    this.#speechMs = 0;
    this.#silenceMs = 0;
    return [{ type: 'end_of_speech', speechMs }];
  }
}

/**
 * Re-cuts frames into fixed windows of mono s16 at `sampleRate` (`undefined`: keep each
 * frame's rate). Stops when `signal` aborts.
 */
export async function* windows(
  frames: AsyncIterable<AudioFrame>,
  windowSamples: (sampleRate: number) => number,
  signal: AbortSignal,
  sampleRate?: number,
): AsyncGenerator<{ samples: Int16Array; sampleRate: number }> {
  let pending = new Int16Array(0);
  let rate = 0;
  for await (const frame of frames) {
    if (signal.aborted) return;
    const mono = sampleRate === undefined ? downmix(frame) : toMonoAt(frame, sampleRate);
    if (mono.sampleRate !== rate) {
      pending = new Int16Array(0);
      rate = mono.sampleRate;
    }
    const size = windowSamples(rate);
    const joined = new Int16Array(pending.length + mono.data.length);
    joined.set(pending);
    joined.set(mono.data, pending.length);
    let offset = 0;
    for (; offset + size <= joined.length; offset += size) {
      yield { samples: joined.subarray(offset, offset + size), sampleRate: rate };
      if (signal.aborted) return;
    }
    pending = joined.slice(offset);
  }
}
