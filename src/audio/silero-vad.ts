import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as OrtModule from 'onnxruntime-web';
import type { AudioFrame } from '../runtime/audio/frame.js';
import type { ModelCallContext } from '../runtime/models/context.js';
import type { VAD, VADEvent } from '../runtime/models/vad.js';
import { importOptional, isNotFound, MissingPackageError } from './optional-package.js';
import { SpeechGate, windows } from './speech-gate.js';

type Ort = typeof OrtModule;
type Session = OrtModule.InferenceSession;
type Tensor = OrtModule.Tensor;

export interface SileroVADOptions {
  /** The ONNX file. Default: `silero_vad_v5.onnx` shipped in @ricky0123/vad-web. */
  readonly modelPath?: string;
  /** Speech probability that starts speech. Default 0.5. */
  readonly activationThreshold?: number;
  /** Probability below which a window is silence. Default activation - 0.15. */
  readonly deactivationThreshold?: number;
  /** Default 100 ms. */
  readonly minSpeechMs?: number;
  /** Default 550 ms. */
  readonly minSilenceMs?: number;
  /** Period of `speaking` events. Default 100 ms. */
  readonly speakingIntervalMs?: number;
}

const SAMPLE_RATE = 16000;
const WINDOW = 512; // 32 ms at 16 kHz, what the model is trained on
const V5_CONTEXT = 64; // v5 wants the last 64 samples of the previous window in front

/**
 * The model file shipped in the @ricky0123/vad-web package (an optional peer dependency:
 * a MissingPackageError when it is not installed). Resolved, not loaded: its code is for
 * browsers.
 */
export function defaultSileroModelPath(): string {
  let main: string;
  try {
    main = fileURLToPath(import.meta.resolve('@ricky0123/vad-web'));
  } catch (error) {
    if (isNotFound(error, '@ricky0123/vad-web'))
      throw new MissingPackageError('@ricky0123/vad-web');
    throw error;
  }
  return join(dirname(main), 'silero_vad_v5.onnx');
}

const sessions = new Map<string, Promise<{ ort: Ort; session: Session }>>();

/** One onnxruntime session per model file, shared by every stream. */
function loadSession(modelPath: string): Promise<{ ort: Ort; session: Session }> {
  let loading = sessions.get(modelPath);
  if (!loading) {
    loading = (async () => {
      await access(modelPath).catch(() => {
        throw new Error(`the Silero model file ${modelPath} does not exist`);
      });
      const ort: Ort = await importOptional('onnxruntime-web', () => import('onnxruntime-web'));
      // WebAssembly on this thread: one thread is plenty for a 2 MB model, and onnxruntime's
      // own warnings must not reach a console screen.
      ort.env.wasm.numThreads = 1;
      ort.env.logLevel = 'error';
      const session = await ort.InferenceSession.create(modelPath);
      return { ort, session };
    })();
    sessions.set(modelPath, loading);
    loading.catch(() => sessions.delete(modelPath));
  }
  return loading;
}

/** Per-stream model state; handles both published I/O layouts of the model. */
class SileroStream {
  readonly #ort: Ort;
  readonly #session: Session;
  readonly #v5: boolean;
  readonly #sr: Tensor;
  #state: Record<string, Tensor>;
  #context = new Float32Array(V5_CONTEXT);

  constructor(ort: Ort, session: Session) {
    this.#ort = ort;
    this.#session = session;
    this.#v5 = session.inputNames.includes('state');
    this.#sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(SAMPLE_RATE)]), []);
    this.#state = this.#v5
      ? { state: new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]) }
      : {
          // v4: LSTM state h and c.
          h: new ort.Tensor('float32', new Float32Array(2 * 64), [2, 1, 64]),
          c: new ort.Tensor('float32', new Float32Array(2 * 64), [2, 1, 64]),
        };
  }

  async probability(samples: Int16Array): Promise<number> {
    const offset = this.#v5 ? V5_CONTEXT : 0;
    const audio = new Float32Array(offset + samples.length);
    if (this.#v5) audio.set(this.#context);
    for (let i = 0; i < samples.length; i++) audio[offset + i] = samples[i]! / 32768;
    if (this.#v5) this.#context = audio.slice(audio.length - V5_CONTEXT);
    const input = new this.#ort.Tensor('float32', audio, [1, audio.length]);
    const out = await this.#session.run({ input, sr: this.#sr, ...this.#state });
    this.#state = this.#v5
      ? { state: out.stateN as Tensor }
      : { h: out.hn as Tensor, c: out.cn as Tensor };
    return Number((out.output as Tensor).data[0] ?? 0);
  }
}

/**
 * Silero VAD through onnxruntime-web (WebAssembly), fully offline. Both it and the model
 * package are optional: `npm install onnxruntime-web @ricky0123/vad-web`. Audio is resampled to 16 kHz mono
 * and scored in 512-sample windows; SpeechGate turns scores into events.
 * Build it with `SileroVAD.create()`, which fails at once (a MissingPackageError when a
 * package is not installed) if onnxruntime or the model cannot load (see
 * `createOfflineVAD()` for the fallback).
 */
export class SileroVAD implements VAD {
  readonly label = 'silero';
  readonly sampleRate = SAMPLE_RATE;
  readonly #ort: Ort;
  readonly #session: Session;
  readonly #gate: () => SpeechGate;

  private constructor(ort: Ort, session: Session, options: SileroVADOptions) {
    this.#ort = ort;
    this.#session = session;
    const activation = options.activationThreshold ?? 0.5;
    this.#gate = () =>
      new SpeechGate({
        activationThreshold: activation,
        deactivationThreshold: options.deactivationThreshold ?? Math.max(0.01, activation - 0.15),
        minSpeechMs: options.minSpeechMs ?? 100,
        minSilenceMs: options.minSilenceMs ?? 550,
        speakingIntervalMs: options.speakingIntervalMs ?? 100,
      });
  }

  static async create(options: SileroVADOptions = {}): Promise<SileroVAD> {
    const { ort, session } = await loadSession(options.modelPath ?? defaultSileroModelPath());
    return new SileroVAD(ort, session, options);
  }

  async *detect(frames: AsyncIterable<AudioFrame>, ctx: ModelCallContext): AsyncIterable<VADEvent> {
    const gate = this.#gate();
    const model = new SileroStream(this.#ort, this.#session);
    const windowMs = (WINDOW / SAMPLE_RATE) * 1000;
    for await (const window of windows(frames, () => WINDOW, ctx.signal, SAMPLE_RATE)) {
      const probability = await model.probability(window.samples);
      if (ctx.signal.aborted) return;
      yield* gate.push(probability, windowMs);
    }
    if (!ctx.signal.aborted) yield* gate.end();
  }
}
