/**
 * Keeps the microphone shut while the speakers play and the canceller has not adapted yet.
 *
 * AEC3 adapts to a synthetic room at once, but through a real path (the virtual card:
 * PulseAudio, resampling, a loopback) the echo came through only 10–18 dB down for about
 * 0.8 s, starting about 1 s into the first far-end speech, and again after the alignment
 * moved. That is enough for a VAD to call it speech, and the agent would interrupt its own
 * first sentence. So during the first `warmupMs` of far-end activity, and `realignMs` after
 * each alignment move, microphone frames are silenced while far-end audio was played within
 * the last `tailMs`. The cost: nobody can barge in during those moments (about the first two
 * seconds the agent speaks in a session).
 */
import type { FrameProcessor } from './echo-aligner.js';
import { rms } from './pcm.js';

export interface EchoWarmupOptions {
  /** Far-end activity the canceller gets before the microphone opens while it plays. Default 2000. */
  readonly warmupMs?: number;
  /** The same after the alignment moved. Default 1000. */
  readonly realignMs?: number;
  /** How long after far-end audio its echo may still arrive (delay + reverb). Default 500. */
  readonly tailMs?: number;
  /** A far-end frame louder than this (RMS, 0..1) is activity. Default 0.003 (−50 dBFS). */
  readonly activeRms?: number;
}

export class EchoWarmup implements FrameProcessor {
  readonly frameSamples: number;
  readonly #inner: FrameProcessor;
  readonly #realignMs: number;
  readonly #tailMs: number;
  readonly #activeRms: number;
  /** Warm-up left, counted in microphone frames (10 ms) heard while the far end is active. */
  #remainingMs: number;
  /** Microphone time since the last active far-end frame. */
  #sinceFarMs = Number.POSITIVE_INFINITY;

  constructor(inner: FrameProcessor, options: EchoWarmupOptions = {}) {
    this.#inner = inner;
    this.frameSamples = inner.frameSamples;
    this.#remainingMs = options.warmupMs ?? 2000;
    this.#realignMs = options.realignMs ?? 1000;
    this.#tailMs = options.tailMs ?? 500;
    this.#activeRms = options.activeRms ?? 0.003;
  }

  /** True while microphone frames may still be silenced. */
  get warmingUp(): boolean {
    return this.#remainingMs > 0;
  }

  processRender(frame: Int16Array): void {
    this.#inner.processRender(frame);
    if (rms(frame) >= this.#activeRms) this.#sinceFarMs = 0;
  }

  processCapture(frame: Int16Array): Int16Array {
    const out = this.#inner.processCapture(frame);
    const frameMs = (frame.length / this.frameSamples) * 10;
    this.#sinceFarMs += frameMs;
    if (this.#remainingMs <= 0 || this.#sinceFarMs > this.#tailMs) return out;
    this.#remainingMs -= frameMs;
    return new Int16Array(out.length);
  }

  /** The alignment moved: the canceller adapts again, so wait again (at least `realignMs`). */
  realigned(): void {
    this.#remainingMs = Math.max(this.#remainingMs, this.#realignMs);
  }
}
