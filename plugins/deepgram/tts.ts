import type { DeepgramClient } from '@deepgram/sdk';
import type { Clock } from '../../src/runtime/clock/clock.js';
import { type ModelCallContext, ProviderError } from '../../src/runtime/models/context.js';
import type { SynthesizedAudio, TTS } from '../../src/runtime/models/tts.js';
import { childController } from '../shared/abort.js';
import { type AsyncQueue, pumpInto } from '../shared/async-queue.js';
import { protocolError, redact, sanitizeCause } from '../shared/errors.js';
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
import {
  connectDeepgram,
  type DeepgramConnection,
  type DeepgramConnectionOptions,
} from './config.js';
import { closeError, type LinkEvent, SocketLink } from './link.js';
import { parseServerMessage } from './messages.js';

type SpeakSocket = Awaited<ReturnType<DeepgramClient['speak']['v1']['connect']>>;

interface SpeakState {
  /** The pieces sent and not yet `Flushed`, oldest first. */
  readonly unflushed: { readonly textIndex: number; readonly text: string }[];
  /** Audio bytes received for the oldest unflushed piece. */
  pieceBytes: number;
  /** Called when a piece is sent: from then on audio is owed, and waiting for it is bounded. */
  onSent: (() => void) | undefined;
  inputDone: boolean;
  inputError?: { readonly error: unknown };
}

const EMPTY_HINT =
  'Deepgram flushed a sentence with no audio: check the model (voice) and the text';

export interface DeepgramTTSOptions extends DeepgramConnectionOptions, TTSTimeoutOptions {
  /** Aura voice model, default `aura-2-thalia-en`. */
  readonly model?: string;
  /** linear16 sample rate (24 000). */
  readonly sampleRate?: number;
  /** Duration of the yielded frames (20 ms). */
  readonly frameMs?: number;
}

/**
 * Aura over the streaming WebSocket: each input piece is sent as `Speak` + `Flush`, so the
 * audio until the matching `Flushed` belongs to that piece and is tagged with its index.
 * Speech starts with the first piece while later text is still coming. While audio is owed,
 * waiting is bounded on the session clock (`firstByteTimeoutMs` for a piece's first audio,
 * `stallTimeoutMs` between messages), and a piece flushed with no audio is an error.
 * (Deepgram allows about 20 flushes a minute per connection: one per sentence is fine for
 * conversational replies.)
 */
export class DeepgramTTS implements TTS {
  readonly label: string;
  readonly sampleRate: number;
  readonly #connection: DeepgramConnection;
  readonly #options: DeepgramTTSOptions;
  readonly #model: string;
  readonly #timeouts: TTSTimeouts;

  constructor(options: DeepgramTTSOptions = {}) {
    this.#timeouts = ttsTimeouts('DeepgramTTS', options);
    this.#connection = connectDeepgram(options, 'tts');
    this.#options = options;
    this.#model = options.model ?? 'aura-2-thalia-en';
    this.sampleRate = options.sampleRate ?? 24_000;
    this.label = `deepgram/${this.#model}`;
  }

  async *synthesize(
    text: AsyncIterable<string>,
    ctx: ModelCallContext,
  ): AsyncGenerator<SynthesizedAudio> {
    const { controller, dispose } = childController(ctx.signal);
    const signal = controller.signal;
    const state: SpeakState = { unflushed: [], pieceBytes: 0, onSent: undefined, inputDone: false };
    let link: SocketLink<SpeakSocket> | undefined;
    const onAbort = () => link?.close();
    signal.addEventListener('abort', onAbort, { once: true });
    // Text is read from the start, so nothing waits on the handshake but the socket itself.
    const { queue: pieces, stop } = pumpInto(text, signal);
    try {
      link = await SocketLink.open(await this.#connect(signal), this.#connection.scope, signal);
      void this.#send(pieces, link, state);
      yield* this.#receive(link, state, ctx.clock, signal);
      if (state.inputError) throw state.inputError.error;
    } catch (err) {
      throw ctx.signal.aborted ? ctx.signal.reason : err;
    } finally {
      stop();
      signal.removeEventListener('abort', onAbort);
      link?.close();
      dispose();
      controller.abort();
    }
  }

  /** Each non-blank piece as Speak + Flush; closes the socket once the last is flushed. */
  async #send(pieces: AsyncQueue<string>, link: SocketLink<SpeakSocket>, state: SpeakState) {
    let index = 0;
    try {
      for await (const piece of pieces) {
        const textIndex = index++;
        if (!isSpeakable(piece)) continue;
        state.unflushed.push({ textIndex, text: piece });
        try {
          link.socket.sendText({ type: 'Speak', text: piece });
          link.socket.sendFlush({ type: 'Flush' });
        } catch {
          return; // The socket is gone: the receiving loop reports why.
        }
        state.onSent?.();
      }
    } catch (error) {
      state.inputError = { error };
    }
    state.inputDone = true;
    if (state.inputError || state.unflushed.length === 0) link.close();
  }

  async *#receive(
    link: SocketLink<SpeakSocket>,
    state: SpeakState,
    clock: Clock,
    signal: AbortSignal,
  ): AsyncGenerator<SynthesizedAudio> {
    const scope = this.#connection.scope;
    const chunker = new PcmChunker(this.sampleRate, this.#options.frameMs ?? 20);
    let textIndex = 0;
    for (;;) {
      const next = await this.#nextEvent(link, state, clock);
      if (signal.aborted) throw signal.reason;
      if (next.done) return;
      const event = next.value;
      if (event.type === 'failed') throw event.error;
      if (event.type === 'closed') {
        if (link.closedByUs) return;
        throw closeError(scope, event.code, event.reason);
      }
      const parsed = parseServerMessage(event.data);
      if (parsed.kind === 'malformed') throw protocolError(scope, parsed.what);
      if (parsed.kind === 'audio') {
        // Audio until the next Flushed belongs to the oldest piece not yet flushed.
        textIndex = state.unflushed[0]?.textIndex ?? textIndex;
        const bytes = new Uint8Array(await parsed.blob.arrayBuffer());
        state.pieceBytes += bytes.byteLength;
        for (const frame of chunker.push(bytes)) yield { frame, textIndex };
      } else if (parsed.kind === 'message' && parsed.message.type === 'Flushed') {
        const piece = state.unflushed.shift();
        if (piece && state.pieceBytes === 0) throw emptyAudio(scope, piece.text, EMPTY_HINT);
        state.pieceBytes = 0;
        const last = chunker.flush();
        if (last) yield { frame: last, textIndex: piece?.textIndex ?? textIndex };
        if (state.inputDone && state.unflushed.length === 0) link.close();
      } else if (parsed.kind === 'message' && parsed.message.type === 'Error') {
        const said = parsed.message.description ?? parsed.message.message ?? 'unknown error';
        throw new ProviderError(scope.provider, `Deepgram said: ${redact(said, scope.secrets)}`, {
          retryable: false,
          hint: 'Deepgram rejected the request: check the model and text',
        });
      }
    }
  }

  /**
   * The next socket event. While audio is owed (a piece sent and not flushed) the wait is
   * bounded; otherwise it also wakes when a piece is sent, to start that bound. The bound
   * runs only while this side waits, never while the runtime holds synthesis back.
   */
  async #nextEvent(
    link: SocketLink<SpeakSocket>,
    state: SpeakState,
    clock: Clock,
  ): Promise<IteratorResult<LinkEvent, undefined>> {
    const next = link.events.next();
    const scope = this.#connection.scope;
    const { firstByteTimeoutMs, stallTimeoutMs } = this.#timeouts;
    for (;;) {
      if (state.unflushed.length > 0) {
        return state.pieceBytes === 0
          ? within(clock, next, firstByteTimeoutMs, () =>
              firstByteTimeout(scope, firstByteTimeoutMs),
            )
          : within(clock, next, stallTimeoutMs, () => stallTimeout(scope, stallTimeoutMs));
      }
      const sent = new Promise<false>((resolve) => {
        state.onSent = () => resolve(false);
      });
      const arrived = await Promise.race([next.then(() => true), sent]);
      state.onSent = undefined;
      if (arrived) return next;
    }
  }

  async #connect(signal: AbortSignal): Promise<SpeakSocket> {
    try {
      return await this.#connection.client.speak.v1.connect({
        model: this.#model,
        encoding: 'linear16',
        sample_rate: String(this.sampleRate),
        reconnectAttempts: 0,
        shouldReconnect: () => false,
        connectionTimeoutInSeconds: this.#connection.connectTimeoutSeconds,
        abortSignal: signal,
      });
    } catch (err) {
      throw new ProviderError(this.#connection.scope.provider, 'could not start the stream', {
        retryable: false,
        hint: 'check the Deepgram options (model, sample rate)',
        cause: sanitizeCause(err, this.#connection.scope.secrets),
      });
    }
  }
}
