/** Messages between `EspeakWorkerClient` (any thread) and the espeak worker thread. */

export interface SynthRequest {
  /** The text piece. */
  readonly text: string;
  /** espeak-ng options (voice, rate, pitch); output and input files are added by the worker. */
  readonly args: readonly string[];
  /** Rate of the returned PCM (espeak writes 22050 Hz; the worker resamples). */
  readonly sampleRate: number;
}

export type ToWorker =
  | ({ readonly t: 'synth'; readonly id: number } & SynthRequest)
  /** Drop a request that has not started yet (its speech was interrupted). */
  | { readonly t: 'cancel'; readonly id: number };

export type FromWorker =
  /** espeak-ng is compiled and an instance is prepared: the next utterance starts at once. */
  | { readonly t: 'ready' }
  /** Mono s16 PCM at the requested rate; its buffer is transferred, not copied. */
  | { readonly t: 'audio'; readonly id: number; readonly pcm: Int16Array }
  | { readonly t: 'failed'; readonly id: number; readonly message: string }
  /** espeak-ng could not be loaded at all; the worker exits after this. */
  | { readonly t: 'fatal'; readonly message: string };
