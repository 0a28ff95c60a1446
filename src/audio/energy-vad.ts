import type { AudioFrame } from '../runtime/audio/frame.js';
import type { ModelCallContext } from '../runtime/models/context.js';
import type { VAD, VADEvent } from '../runtime/models/vad.js';
import { rms } from './pcm.js';
import { SpeechGate, windows } from './speech-gate.js';

export interface EnergyVADOptions {
  /** RMS level (0..1 of full scale) that counts as speech. Default 0.02 (about -34 dBFS). */
  readonly threshold?: number;
  /** Window length. Default 20 ms. */
  readonly windowMs?: number;
  /** Loudness must last this long to start speech. Default 100 ms. */
  readonly minSpeechMs?: number;
  /** Hangover: quiet must last this long to end speech. Default 550 ms. */
  readonly minSilenceMs?: number;
  /** Period of `speaking` events. Default 100 ms. */
  readonly speakingIntervalMs?: number;
}

/**
 * The fallback VAD when onnxruntime cannot load: a window is speech when its RMS is above
 * a fixed threshold, and speech ends after `minSilenceMs` of quiet (hangover). It cannot
 * tell speech from other loud sound (music, a fan close to the mic): use a headset, raise
 * the threshold in noisy rooms, or prefer SileroVAD.
 */
export class EnergyVAD implements VAD {
  readonly label = 'energy';
  /** Works at any rate; this is only the rate it is tuned for. */
  readonly sampleRate = 16000;
  readonly #threshold: number;
  readonly #windowMs: number;
  readonly #gate: () => SpeechGate;

  constructor(options: EnergyVADOptions = {}) {
    this.#threshold = options.threshold ?? 0.02;
    this.#windowMs = options.windowMs ?? 20;
    this.#gate = () =>
      new SpeechGate({
        activationThreshold: 0.5,
        deactivationThreshold: 0.5,
        minSpeechMs: options.minSpeechMs ?? 100,
        minSilenceMs: options.minSilenceMs ?? 550,
        speakingIntervalMs: options.speakingIntervalMs ?? 100,
      });
  }

  async *detect(frames: AsyncIterable<AudioFrame>, ctx: ModelCallContext): AsyncIterable<VADEvent> {
    const gate = this.#gate();
    const size = (rate: number) => Math.max(1, Math.round((rate * this.#windowMs) / 1000));
    for await (const window of windows(frames, size, ctx.signal)) {
      const ms = (window.samples.length / window.sampleRate) * 1000;
      const loud = rms(window.samples) >= this.#threshold ? 1 : 0;
      yield* gate.push(loud, ms);
    }
    if (!ctx.signal.aborted) yield* gate.end();
  }
}
