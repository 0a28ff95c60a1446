import type { ModelCallContext } from '../runtime/models/context.js';
import { ProviderError } from '../runtime/models/context.js';
import type { SynthesizedAudio, TTS } from '../runtime/models/tts.js';
import { type EspeakWorkerClient, sharedEspeakWorker } from './espeak-worker-client.js';
import { sliceFrames } from './pcm.js';

/** espeak-ng writes 22050 Hz mono. */
export const ESPEAK_SAMPLE_RATE = 22050;

export interface EspeakTTSOptions {
  /** espeak-ng voice, e.g. `en-us`, `en-gb`, `de`, `en-us+f3`. Default `en-us`. */
  readonly voice?: string;
  /** Words per minute (espeak `-s`, 80..450). Default 175. */
  readonly rate?: number;
  /** Pitch 0..99 (espeak `-p`). Default 50. */
  readonly pitch?: number;
  /** Output rate; resampled from 22050 when different. Default 22050. */
  readonly sampleRate?: number;
  /** Frame length. Default 20 ms. */
  readonly frameMs?: number;
}

/**
 * Offline TTS with the espeak-ng WASM build: no network, no system packages. Each text
 * piece is synthesised whole (eSpeak is much faster than real time), then cut into frames
 * tagged with the piece's index. Robotic, but good enough for a console agent and tests.
 *
 * The WASM work runs in a worker thread shared by every instance (`espeak-worker.ts`), so
 * the event loop stays free for the UI and audio pacing. Pieces are sent to the worker as
 * soon as they arrive: piece N+1 is rendered while piece N is still being played.
 */
export class EspeakTTS implements TTS {
  readonly label = 'espeak-ng';
  readonly sampleRate: number;
  readonly #args: readonly string[];
  readonly #frameMs: number;
  readonly #worker: EspeakWorkerClient;

  constructor(options: EspeakTTSOptions = {}) {
    this.sampleRate = options.sampleRate ?? ESPEAK_SAMPLE_RATE;
    this.#frameMs = options.frameMs ?? 20;
    const rate = clamp(options.rate ?? 175, 80, 450);
    const pitch = clamp(options.pitch ?? 50, 0, 99);
    this.#args = ['-v', options.voice ?? 'en-us', '-s', String(rate), '-p', String(pitch)];
    this.#worker = sharedEspeakWorker();
    // Pre-warm: the worker compiles espeak-ng in the background, so the first reply does not pay for it.
    this.#worker.start();
  }

  /** Resolves once the worker has compiled espeak-ng and prepared an instance. */
  async warmUp(): Promise<void> {
    try {
      await this.#worker.warmUp();
    } catch (error) {
      throw providerError(error);
    }
  }

  async *synthesize(
    text: AsyncIterable<string>,
    ctx: ModelCallContext,
  ): AsyncIterable<SynthesizedAudio> {
    // Stops the reader and drops queued pieces when the speech ends or the consumer leaves.
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const pieces = this.#requestAll(text, stop.signal);
    try {
      for (;;) {
        const next = await pieces.next();
        if (next.done || ctx.signal.aborted) return;
        let pcm: Int16Array;
        try {
          pcm = await next.value.pcm;
        } catch (error) {
          if (ctx.signal.aborted) return;
          throw providerError(error);
        }
        if (ctx.signal.aborted) return;
        for (const frame of sliceFrames(pcm, this.sampleRate, this.#frameMs)) {
          yield { frame, textIndex: next.value.textIndex };
          if (ctx.signal.aborted) return;
        }
      }
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      stop.abort();
      pieces.close();
    }
  }

  /**
   * Reads the text on its own, sending each non-blank piece to the worker at once, and
   * hands out the pending results in order. A read failure comes out after the pieces
   * read before it, as it would from a plain loop.
   */
  #requestAll(text: AsyncIterable<string>, signal: AbortSignal): PieceQueue {
    const iterator = text[Symbol.asyncIterator]();
    // Closed before the text ended: let its producer stop early (as leaving a for-await does).
    const queue = new PieceQueue(() => {
      iterator.return?.().catch(() => {});
    });
    void (async () => {
      try {
        for (let textIndex = 0; ; textIndex++) {
          const next = await iterator.next();
          if (next.done || signal.aborted) break;
          if (next.value.trim() === '') continue;
          const request = { text: next.value, args: this.#args, sampleRate: this.sampleRate };
          const pcm = this.#worker.synthesize(request, signal);
          // Awaited in order by synthesize(); this only keeps an unawaited one from being reported.
          pcm.catch(() => {});
          queue.push({ textIndex, pcm });
        }
        queue.end();
      } catch (error) {
        queue.end(error);
      }
    })();
    return queue;
  }
}

interface PendingPiece {
  readonly textIndex: number;
  readonly pcm: Promise<Int16Array>;
}

/** A FIFO of pending pieces with one reader that can wait for the next. */
class PieceQueue {
  readonly #items: PendingPiece[] = [];
  #ended: { error?: unknown } | null = null;
  #wake: (() => void) | null = null;
  readonly #onEarlyClose: () => void;

  constructor(onEarlyClose: () => void) {
    this.#onEarlyClose = onEarlyClose;
  }

  push(item: PendingPiece): void {
    this.#items.push(item);
    this.#notify();
  }

  end(error?: unknown): void {
    this.#ended ??= error === undefined ? {} : { error };
    this.#notify();
  }

  async next(): Promise<IteratorResult<PendingPiece>> {
    while (this.#items.length === 0 && !this.#ended) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    const item = this.#items.shift();
    if (item) return { done: false, value: item };
    if (this.#ended && 'error' in this.#ended) throw this.#ended.error;
    return { done: true, value: undefined };
  }

  close(): void {
    this.#items.length = 0;
    if (!this.#ended) this.#onEarlyClose();
    this.end();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

function providerError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError('espeak-ng', message, {
    hint: 'check the voice name (espeak-ng --voices lists them)',
    cause: error,
  });
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(value)));
}
