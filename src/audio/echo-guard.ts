/**
 * Keeps what the canceller leaves of the echo away from the VAD, while the speakers play.
 *
 * Silero VAD does not care about level: speech scaled down to ±1 LSB (−90 dB) still starts
 * it (checked). A real microphone's noise floor (−60 to −70 dBFS) buries the faint residue
 * AEC3 leaves (−85 to −120 dBFS here), but a clean digital input (a virtual device) does not.
 * So while far-end audio was played within the last `tailMs`, microphone frames quieter
 * than `floorRms` (−60 dBFS, well below a voice at the microphone) are made silent.
 *
 * AEC3 adapts to a synthetic room at once, but through a real path (the virtual card:
 * PulseAudio, resampling, a loopback) echo still came through 30–50 dB below the microphone
 * level 2–3 s into the first far-end speech, and again after the alignment moved. A neural
 * VAD (Silero) calls even that speech, and the agent would interrupt its own first sentence.
 * So while far-end audio was played within the last `tailMs`, microphone frames are silenced
 * until the canceller has had `warmupMs` of far-end activity *and* its output has stayed
 * `adaptedDb` below its input over the last second of it; at most `maxWarmupMs` (the user
 * talking during the warm-up keeps that measure low). After an alignment move the same, from
 * `realignMs` to `maxRealignMs`. The cost: nobody can barge in then (the first seconds the
 * agent speaks, and moments after the speakers ran dry).
 */
import type { FrameProcessor } from './echo-aligner.js';
import { rms } from './pcm.js';

export interface EchoGuardOptions {
  /** Far-end activity the canceller gets at least before the microphone opens. Default 2000. */
  readonly warmupMs?: number;
  /** After the alignment moved: at least this much far-end activity, as for the warm-up. Default 500. */
  readonly realignMs?: number;
  /** After the alignment moved: at most this much. Default 1500. */
  readonly maxRealignMs?: number;
  /** Far-end activity after which the microphone opens anyway. Default 6000. */
  readonly maxWarmupMs?: number;
  /** Echo reduction (input over output, last second of far-end activity) that counts as adapted. Default 60. */
  readonly adaptedDb?: number;
  /** How long after far-end audio its echo may still arrive (delay + reverb). Default 500. */
  readonly tailMs?: number;
  /** A far-end frame louder than this (RMS, 0..1) is activity. Default 0.003 (−50 dBFS). */
  readonly activeRms?: number;
  /** While the far end plays, quieter microphone frames are silenced. Default 0.001 (−60 dBFS). */
  readonly floorRms?: number;
  /** One line when the microphone opens after a warm-up. */
  readonly log?: (line: string) => void;
}

/** Frames (10 ms) of far-end activity over which the echo reduction is measured. */
const MEASURE_FRAMES = 100;
/** Fewest frames that make a measure (after a realignment there is less time). */
const MIN_MEASURE_FRAMES = 40;

export class EchoGuard implements FrameProcessor {
  readonly frameSamples: number;
  readonly #inner: FrameProcessor;
  readonly #o: Required<Omit<EchoGuardOptions, 'log'>> & Pick<EchoGuardOptions, 'log'>;
  /** Far-end activity still needed before the microphone may open, and before it must. */
  #minLeftMs: number;
  #maxLeftMs: number;
  #spentMs = 0;
  /** Microphone time since the last active far-end frame. */
  #sinceFarMs = Number.POSITIVE_INFINITY;
  /** [input energy, output energy] of recent microphone frames heard while the far end played. */
  #recent: [number, number][] = [];

  constructor(inner: FrameProcessor, options: EchoGuardOptions = {}) {
    this.#inner = inner;
    this.frameSamples = inner.frameSamples;
    this.#o = {
      warmupMs: 2000,
      realignMs: 500,
      maxRealignMs: 1500,
      maxWarmupMs: 6000,
      adaptedDb: 60,
      tailMs: 500,
      activeRms: 0.003,
      floorRms: 0.001,
      ...options,
    };
    this.#minLeftMs = this.#o.warmupMs;
    this.#maxLeftMs = this.#o.maxWarmupMs;
  }

  /** True while microphone frames may still be silenced. */
  get warmingUp(): boolean {
    return this.#maxLeftMs > 0;
  }

  processRender(frame: Int16Array): void {
    this.#inner.processRender(frame);
    if (rms(frame) >= this.#o.activeRms) this.#sinceFarMs = 0;
  }

  processCapture(frame: Int16Array): Int16Array {
    const out = this.#inner.processCapture(frame);
    const frameMs = (frame.length / this.frameSamples) * 10;
    this.#sinceFarMs += frameMs;
    if (this.#sinceFarMs > this.#o.tailMs) return out;
    if (this.#maxLeftMs <= 0) return rms(out) < this.#o.floorRms ? new Int16Array(out.length) : out;
    this.#minLeftMs -= frameMs;
    this.#maxLeftMs -= frameMs;
    this.#spentMs += frameMs;
    this.#recent.push([energy(frame), energy(out)]);
    if (this.#recent.length > MEASURE_FRAMES) this.#recent.shift();
    const reduction = this.#reductionDb();
    if (this.#maxLeftMs <= 0 || (this.#minLeftMs <= 0 && reduction >= this.#o.adaptedDb)) {
      this.#o.log?.(
        `echo canceller adapted after ${this.#spentMs} ms of far-end audio (echo ${reduction.toFixed(0)} dB down)`,
      );
      this.#maxLeftMs = 0;
      return out;
    }
    return new Int16Array(out.length);
  }

  /**
   * The alignment moved (after the speakers ran dry, say): the canceller may have to adapt
   * again. A shorter warm-up than the first: the user may be talking, which the echo
   * measure cannot tell from echo, and a long one would swallow their barge-in.
   */
  realigned(): void {
    if (this.#maxLeftMs > 0) return;
    this.#minLeftMs = this.#o.realignMs;
    this.#maxLeftMs = this.#o.maxRealignMs;
    this.#spentMs = 0;
    this.#recent = [];
  }

  #reductionDb(): number {
    if (this.#recent.length < MIN_MEASURE_FRAMES) return 0;
    let input = 0;
    let output = 0;
    for (const [i, o] of this.#recent) {
      input += i;
      output += o;
    }
    return 10 * Math.log10((input + 1) / (output + 1));
  }
}

function energy(pcm: Int16Array): number {
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return sum;
}
