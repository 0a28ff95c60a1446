import type OpenAI from 'openai';
import type { ModelCallContext } from '../../src/runtime/models/context.js';
import type { SynthesizedAudio, TTS } from '../../src/runtime/models/tts.js';
import { childController } from '../shared/abort.js';
import { pumpInto } from '../shared/async-queue.js';
import type { ErrorScope } from '../shared/errors.js';
import { PcmChunker } from '../shared/pcm.js';
import {
  emptyAudio,
  firstByteTimeout,
  isSpeakable,
  stallTimeout,
  type TTSTimeoutOptions,
  type TTSTimeouts,
  ttsTimeouts,
  within,
} from '../shared/tts-bounds.js';
import { connectOpenAI, type OpenAIConnectionOptions, openAIError } from './config.js';

/** `response_format: 'pcm'` is always 24 kHz, 16-bit, mono. */
const PCM_SAMPLE_RATE = 24_000;

export interface OpenAITTSOptions extends OpenAIConnectionOptions, TTSTimeoutOptions {
  /** Default `gpt-4o-mini-tts`. */
  readonly model?: string;
  /** Default `alloy`. */
  readonly voice?: string;
  /** Speaking style, for models that take instructions. */
  readonly instructions?: string;
  readonly speed?: number;
  /** Duration of the yielded frames (20 ms). */
  readonly frameMs?: number;
  /** Requests started ahead of the piece being streamed, to hide their latency (1). */
  readonly prefetch?: number;
}

interface PendingPiece {
  readonly textIndex: number;
  readonly text: string;
  /** Null for a piece with nothing to pronounce: it keeps its index but costs no request. */
  readonly response: Promise<Response> | null;
  /**
   * Detaches the piece's own signal from the synthesis's. The SDK adds an abort listener to
   * the signal of every request and never removes it: one signal shared by every piece of a
   * long reply collects them (MaxListenersExceededWarning past ten sentences).
   */
  readonly release: () => void;
}

const EMPTY_HINT =
  'the server answered 200 with no audio: check the model and voice, and that the server at ' +
  'OPENAI_BASE_URL can stream response_format "pcm"';

/**
 * One `audio.speech.create` request per input piece, body streamed as ~20 ms frames tagged
 * with the piece's index. The first piece starts as soon as it arrives; later pieces are
 * requested while earlier audio is still streaming. Waiting is bounded on the session
 * clock: a piece's first audio (`firstByteTimeoutMs`) and each gap in it (`stallTimeoutMs`);
 * an empty body is an error.
 */
export class OpenAITTS implements TTS {
  readonly label: string;
  readonly sampleRate = PCM_SAMPLE_RATE;
  readonly #client: OpenAI;
  readonly #scope: ErrorScope;
  readonly #options: OpenAITTSOptions;
  readonly #model: string;
  readonly #timeouts: TTSTimeouts;

  constructor(options: OpenAITTSOptions = {}) {
    this.#timeouts = ttsTimeouts('OpenAITTS', options);
    const { client, scope } = connectOpenAI(options, 'tts');
    this.#client = client;
    this.#scope = scope;
    this.#options = options;
    this.#model = options.model ?? 'gpt-4o-mini-tts';
    this.label = `openai/${this.#model}`;
  }

  async *synthesize(
    text: AsyncIterable<string>,
    ctx: ModelCallContext,
  ): AsyncGenerator<SynthesizedAudio> {
    const { controller, dispose } = childController(ctx.signal);
    const { queue: pieces, stop } = pumpInto(text, controller.signal);
    const pending: PendingPiece[] = [];
    const prefetch = Math.max(0, this.#options.prefetch ?? 1);
    let nextIndex = 0;
    const start = (piece: string) => {
      const own = childController(controller.signal);
      const response = isSpeakable(piece) ? this.#request(piece, own.controller.signal) : null;
      // Rejections surface in input order, when the piece's turn comes.
      response?.catch(() => {});
      pending.push({ textIndex: nextIndex++, text: piece, response, release: own.dispose });
    };
    const startWaiting = () => {
      while (pending.length <= prefetch) {
        const piece = pieces.tryShift();
        if (piece === undefined) return;
        start(piece);
      }
    };
    try {
      for (;;) {
        if (pending.length === 0) {
          const next = await pieces.next();
          if (next.done) break;
          start(next.value);
        }
        const current = pending.shift()!;
        startWaiting();
        try {
          if (current.response) {
            yield* this.#pieceAudio(current, current.response, ctx, startWaiting);
          }
        } finally {
          current.release();
        }
      }
      if (ctx.signal.aborted) throw ctx.signal.reason;
    } finally {
      stop();
      // Requests still in flight end with the synthesis, then let go of its signal.
      controller.abort();
      for (const piece of pending) piece.release();
      dispose();
    }
  }

  /** One piece's body as frames; `onBytes` lets later requests start while it streams. */
  async *#pieceAudio(
    piece: PendingPiece,
    response: Promise<Response>,
    ctx: ModelCallContext,
    onBytes: () => void,
  ): AsyncGenerator<SynthesizedAudio> {
    const { firstByteTimeoutMs, stallTimeoutMs } = this.#timeouts;
    const chunker = new PcmChunker(PCM_SAMPLE_RATE, this.#options.frameMs ?? 20);
    let body: AsyncIterator<Uint8Array> | undefined;
    let received = 0;
    try {
      // Headers and the first bytes share one bound: a server can stall before either.
      const first = response.then((answer) => {
        body = answer.body?.[Symbol.asyncIterator]();
        return body ? body.next() : { done: true as const, value: undefined };
      });
      let next = await within(ctx.clock, first, firstByteTimeoutMs, () =>
        firstByteTimeout(this.#scope, firstByteTimeoutMs),
      );
      while (!next.done) {
        received += next.value.byteLength;
        onBytes();
        for (const frame of chunker.push(next.value)) yield { frame, textIndex: piece.textIndex };
        next = await within(ctx.clock, body!.next(), stallTimeoutMs, () =>
          stallTimeout(this.#scope, stallTimeoutMs),
        );
      }
    } catch (err) {
      throw ctx.signal.aborted ? ctx.signal.reason : openAIError(err, this.#scope);
    }
    if (received === 0) throw emptyAudio(this.#scope, piece.text, EMPTY_HINT);
    const last = chunker.flush();
    if (last) yield { frame: last, textIndex: piece.textIndex };
  }

  #request(input: string, signal: AbortSignal): Promise<Response> {
    const o = this.#options;
    return this.#client.audio.speech.create(
      {
        model: this.#model,
        voice: o.voice ?? 'alloy',
        input,
        response_format: 'pcm',
        ...(o.instructions !== undefined ? { instructions: o.instructions } : {}),
        ...(o.speed !== undefined ? { speed: o.speed } : {}),
      },
      { signal },
    );
  }
}
