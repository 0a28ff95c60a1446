/**
 * Acoustic echo cancellation with the WebRTC audio-processing module (AEC3, plus noise
 * suppression, high-pass filter and gain control) compiled into LiveKit's FFI library.
 *
 * `@livekit/rtc-node` 1.x ships that library (`@livekit/rtc-ffi-bindings`) but no wrapper
 * for its audio-processing requests, so this file talks to the FFI the way rtc-node's own
 * FfiClient does: a protobuf `FfiRequest` in, an `FfiResponse` out, synchronously. PCM is
 * passed by pointer and processed in place.
 *
 * The native side aborts the whole process (a Rust panic) on a buffer that is not a whole
 * number of 10 ms frames, so every native call here gets exactly one frame from a buffer of
 * our own; callers may pass any length and the rest waits for the next call.
 */
import { createRequire } from 'node:module';
import type * as FfiBindings from '@livekit/rtc-ffi-bindings';

type Bindings = typeof FfiBindings;
type ApmHandle = InstanceType<Bindings['FfiHandle']>;

/** The FFI library could not be loaded or refused to create the module: run without AEC. */
export class EchoCancellerUnavailableError extends Error {
  override readonly name = 'EchoCancellerUnavailableError';
}

export interface EchoCancellerOptions {
  /** Both directions, mono s16. 8000–48000 Hz; one frame is `sampleRate / 100` samples. */
  readonly sampleRate: number;
  /** Default true. */
  readonly noiseSuppression?: boolean;
  /** Default true: removes rumble below ~80 Hz before the echo canceller sees it. */
  readonly highPassFilter?: boolean;
  /** Adaptive digital gain (AGC2). Default false: it also lifts residual echo and noise. */
  readonly gainControl?: boolean;
}

/** Samples waiting for a whole frame, in arrival order. */
class SampleQueue {
  #samples = new Int16Array(0);

  get length(): number {
    return this.#samples.length;
  }

  push(pcm: Int16Array): void {
    if (this.#samples.length === 0) {
      this.#samples = pcm.slice();
      return;
    }
    const joined = new Int16Array(this.#samples.length + pcm.length);
    joined.set(this.#samples);
    joined.set(pcm, this.#samples.length);
    this.#samples = joined;
  }

  /** Removes and returns the first `count` samples (a view, valid until the next push). */
  take(count: number): Int16Array {
    const head = this.#samples.subarray(0, count);
    this.#samples = this.#samples.subarray(count);
    return head;
  }
}

let bindings: Bindings | undefined;

/**
 * The bindings rtc-node itself uses: resolved from rtc-node's folder, so the same copy
 * (rtc-node pins its version) is found whatever layout the package manager chose.
 */
function loadBindings(): Bindings {
  if (bindings) return bindings;
  try {
    const rtcNode = createRequire(import.meta.url).resolve('@livekit/rtc-node');
    bindings = createRequire(rtcNode)('@livekit/rtc-ffi-bindings') as Bindings;
    return bindings;
  } catch (error) {
    throw new EchoCancellerUnavailableError(
      `LiveKit's FFI library failed to load: ${firstSentence(error)}`,
    );
  }
}

function firstSentence(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
  const end = text.indexOf('. ');
  return end > 0 ? text.slice(0, end) : text;
}

export class EchoCanceller {
  readonly sampleRate: number;
  /** Samples per native call: 10 ms. */
  readonly frameSamples: number;
  readonly #ffi: Bindings;
  #apm: ApmHandle | null;
  /** The one buffer the native side reads and writes (aligned, offset 0, one frame). */
  readonly #frame: Int16Array;
  readonly #capture = new SampleQueue();
  readonly #render = new SampleQueue();
  #delayMs = 0;

  /** Throws EchoCancellerUnavailableError when the FFI library cannot be used. */
  constructor(options: EchoCancellerOptions) {
    const rate = options.sampleRate;
    if (!Number.isInteger(rate) || rate < 8000 || rate > 48000) {
      throw new RangeError(`echo canceller: sampleRate must be 8000–48000 Hz, got ${rate}`);
    }
    this.sampleRate = rate;
    this.frameSamples = Math.floor(rate / 100);
    this.#frame = new Int16Array(this.frameSamples);
    this.#ffi = loadBindings();
    let id: bigint | undefined;
    try {
      const created = this.#request({
        case: 'newApm',
        value: new this.#ffi.NewApmRequest({
          echoCancellerEnabled: true,
          noiseSuppressionEnabled: options.noiseSuppression ?? true,
          highPassFilterEnabled: options.highPassFilter ?? true,
          gainControllerEnabled: options.gainControl ?? false,
        }),
      });
      id = created.case === 'newApm' ? created.value.apm?.handle?.id : undefined;
    } catch (error) {
      throw new EchoCancellerUnavailableError(
        `LiveKit's FFI library refused an audio-processing module: ${firstSentence(error)}`,
      );
    }
    if (id === undefined) {
      throw new EchoCancellerUnavailableError(
        "LiveKit's FFI library did not create an audio-processing module",
      );
    }
    // FfiHandle frees the native module on dispose() (or, failing that, when collected).
    this.#apm = new this.#ffi.FfiHandle(id);
  }

  get closed(): boolean {
    return this.#apm === null;
  }

  /**
   * The far end: audio as it goes to the speakers, in playout order, silence included.
   * Must reach the canceller before the echo of it reaches `processCapture`.
   */
  processRender(pcm: Int16Array): void {
    const apm = this.#open();
    this.#render.push(pcm);
    while (this.#render.length >= this.frameSamples) {
      this.#frame.set(this.#render.take(this.frameSamples));
      const res = this.#request({
        case: 'apmProcessReverseStream',
        value: new this.#ffi.ApmProcessReverseStreamRequest({
          apmHandle: apm.handle,
          ...this.#pcm(),
        }),
      });
      this.#check(res, 'apmProcessReverseStream');
    }
  }

  /**
   * The microphone: returns it without the echo of what `processRender` was given. Only
   * whole frames come back; a remainder waits for the next call (none for 10/20 ms chunks).
   */
  processCapture(pcm: Int16Array): Int16Array {
    const apm = this.#open();
    this.#capture.push(pcm);
    const frames = Math.floor(this.#capture.length / this.frameSamples);
    const out = new Int16Array(frames * this.frameSamples);
    for (let i = 0; i < frames; i++) {
      this.#frame.set(this.#capture.take(this.frameSamples));
      const res = this.#request({
        case: 'apmProcessStream',
        value: new this.#ffi.ApmProcessStreamRequest({ apmHandle: apm.handle, ...this.#pcm() }),
      });
      this.#check(res, 'apmProcessStream');
      out.set(this.#frame, i * this.frameSamples);
    }
    return out;
  }

  /**
   * How long after `processRender` its sound shows up in `processCapture` (output and
   * input buffering plus the acoustic path). A starting point: AEC3 estimates the actual
   * delay itself (measured here up to ~600 ms).
   */
  setStreamDelay(ms: number): void {
    const apm = this.#open();
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`echo canceller: stream delay must be ≥ 0 ms, got ${ms}`);
    }
    // WebRTC accepts 0–500 ms and clamps anything else with a warning.
    this.#delayMs = Math.min(500, Math.round(ms));
    const res = this.#request({
      case: 'apmSetStreamDelay',
      value: new this.#ffi.ApmSetStreamDelayRequest({
        apmHandle: apm.handle,
        delayMs: this.#delayMs,
      }),
    });
    this.#check(res, 'apmSetStreamDelay');
  }

  get streamDelayMs(): number {
    return this.#delayMs;
  }

  /** Frees the native module. Idempotent; any later call throws. */
  close(): void {
    const apm = this.#apm;
    this.#apm = null;
    apm?.dispose();
  }

  #open(): ApmHandle {
    if (!this.#apm) throw new Error('echo canceller: used after close()');
    return this.#apm;
  }

  #pcm() {
    const bytes = new Uint8Array(this.#frame.buffer, 0, this.#frame.byteLength);
    return {
      dataPtr: this.#ffi.livekitRetrievePtr(bytes),
      size: bytes.byteLength,
      sampleRate: this.sampleRate,
      numChannels: 1,
    };
  }

  #request(message: FfiBindings.FfiRequest['message']): FfiBindings.FfiResponse['message'] {
    const request = new this.#ffi.FfiRequest({ message });
    const reply = this.#ffi.livekitFfiRequest(request.toBinary());
    return this.#ffi.FfiResponse.fromBinary(reply).message;
  }

  #check(res: FfiBindings.FfiResponse['message'], expected: string): void {
    if (res.case !== expected) throw new Error(`echo canceller: unexpected reply ${res.case}`);
    const error = (res.value as { error?: string }).error;
    if (error) throw new Error(`echo canceller: ${error}`);
  }
}
