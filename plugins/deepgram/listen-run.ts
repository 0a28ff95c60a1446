import type { DeepgramClient } from '@deepgram/sdk';
import type { AudioFrame } from '../../src/runtime/audio/frame.js';
import { type ModelCallContext, ProviderError } from '../../src/runtime/models/context.js';
import type { STTEvent } from '../../src/runtime/models/stt.js';
import type { AsyncQueue } from '../shared/async-queue.js';
import { type ErrorScope, protocolError, redact, sanitizeCause } from '../shared/errors.js';
import { frameBytes } from '../shared/pcm.js';
import { closeError, SocketLink } from './link.js';
import { parseServerMessage, type ServerMessage } from './messages.js';
import { AudioTimeline, TranscriptAssembler } from './transcript.js';

type ListenSocket = Awaited<ReturnType<DeepgramClient['listen']['v1']['connect']>>;
export type ListenArgs = Omit<
  Parameters<DeepgramClient['listen']['v1']['connect']>[0],
  'abortSignal'
>;

export interface ListenSettings {
  readonly client: DeepgramClient;
  readonly scope: ErrorScope;
  readonly args: ListenArgs;
  readonly sampleRate: number;
  readonly keepAliveMs: number;
  readonly maxReconnectAttempts: number;
  readonly reconnectBackoffMs: number;
  readonly closeTimeoutMs: number;
  /** Audio kept while reconnecting, sent once the new connection is up. */
  readonly reconnectBufferMs: number;
}

interface PendingAudio {
  readonly bytes: Buffer;
  readonly startMs: number;
  readonly durationMs: number;
}

/**
 * One `recognize()` call: streams audio up, turns results into STT events, keeps the
 * connection alive, and reconnects (bounded, backing off on the session clock) when the
 * server drops it. Ends after the input ends and the server has sent its last results.
 */
export class ListenRun {
  readonly #s: ListenSettings;
  readonly #ctx: ModelCallContext;
  readonly #signal: AbortSignal;
  readonly #out: AsyncQueue<STTEvent>;
  readonly #assembler = new TranscriptAssembler();
  readonly #timeline = new AudioTimeline();
  #link: SocketLink<ListenSocket> | undefined;
  #pending: PendingAudio[] = [];
  #inputDone = false;
  #closeStreamSent = false;
  #audioSinceKeepAlive = false;
  #stopKeepAlive: () => void = () => {};
  #stopCloseTimer: () => void = () => {};

  constructor(
    s: ListenSettings,
    ctx: ModelCallContext,
    signal: AbortSignal,
    out: AsyncQueue<STTEvent>,
  ) {
    this.#s = s;
    this.#ctx = ctx;
    this.#signal = signal;
    this.#out = out;
  }

  async run(frames: AsyncIterable<AudioFrame>): Promise<void> {
    const onAbort = () => this.#link?.close();
    this.#signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.#connect();
      this.#keepAlive();
      void this.#pump(frames);
      await this.#receive();
      this.#emit(this.#assembler.endOfUtterance(undefined));
      this.#out.close();
    } catch (err) {
      this.#out.fail(this.#signal.aborted ? this.#signal.reason : this.#asProviderError(err));
    } finally {
      this.#signal.removeEventListener('abort', onAbort);
      this.#stopKeepAlive();
      this.#stopCloseTimer();
      this.#link?.close();
    }
  }

  async #connect(): Promise<void> {
    let socket: ListenSocket;
    try {
      socket = await this.#s.client.listen.v1.connect({
        ...this.#s.args,
        reconnectAttempts: 0,
        shouldReconnect: () => false,
        abortSignal: this.#signal,
      });
    } catch (err) {
      throw this.#asProviderError(err);
    }
    this.#link = await SocketLink.open(socket, this.#s.scope, this.#signal);
    // Deepgram's timestamps restart at zero: this connection's zero is the oldest unsent audio.
    this.#timeline.startConnection(this.#pending[0]?.startMs ?? this.#timeline.totalMs);
    for (const chunk of this.#pending.splice(0)) this.#send(chunk);
    if (this.#inputDone) this.#closeStream();
  }

  async #pump(frames: AsyncIterable<AudioFrame>): Promise<void> {
    try {
      for await (const frame of frames) {
        if (this.#signal.aborted || this.#out.ended) return;
        const bytes = frameBytes(frame, this.#s.sampleRate);
        const durationMs = (bytes.length / 2 / this.#s.sampleRate) * 1000;
        const startMs = this.#timeline.add(durationMs, this.#ctx.clock.now());
        const chunk = { bytes, startMs, durationMs };
        if (this.#link?.isOpen) this.#send(chunk);
        else this.#buffer(chunk);
      }
      this.#inputDone = true;
      if (this.#link?.isOpen) this.#closeStream();
    } catch (err) {
      // The runtime's audio source failed: that is its error, passed on as it is.
      this.#out.fail(err);
    }
  }

  #send(chunk: PendingAudio): void {
    try {
      this.#link!.socket.sendMedia(chunk.bytes);
      this.#audioSinceKeepAlive = true;
    } catch {
      this.#buffer(chunk); // closed under our feet: the reconnect sends it
    }
  }

  #buffer(chunk: PendingAudio): void {
    this.#pending.push(chunk);
    let total = this.#pending.reduce((n, c) => n + c.durationMs, 0);
    while (total > this.#s.reconnectBufferMs && this.#pending.length > 1) {
      total -= this.#pending.shift()!.durationMs;
    }
  }

  /** Ask for the last results; the server answers and closes. Bounded by closeTimeoutMs. */
  #closeStream(): void {
    if (this.#closeStreamSent) return;
    this.#closeStreamSent = true;
    this.#stopKeepAlive();
    try {
      this.#link!.socket.sendCloseStream({ type: 'CloseStream' });
    } catch {
      // Already closing: the receive loop sees the close.
    }
    const link = this.#link;
    this.#stopCloseTimer = this.#ctx.clock.timer(this.#s.closeTimeoutMs, () => link?.close());
  }

  // Deepgram closes a stream that gets no audio for ~10 s; a KeepAlive holds it open.
  #keepAlive(): void {
    this.#stopKeepAlive = this.#ctx.clock.timer(this.#s.keepAliveMs, () => {
      if (!this.#audioSinceKeepAlive && this.#link?.isOpen) {
        try {
          this.#link.socket.sendKeepAlive({ type: 'KeepAlive' });
        } catch {
          // Closing: nothing to keep alive.
        }
      }
      this.#audioSinceKeepAlive = false;
      if (!this.#closeStreamSent) this.#keepAlive();
    });
  }

  async #receive(): Promise<void> {
    for (;;) {
      const link = this.#link!;
      const next = await link.events.next();
      if (next.done) return;
      const event = next.value;
      if (event.type === 'message') {
        this.#onMessage(event.data);
        continue;
      }
      if (this.#signal.aborted) throw this.#signal.reason;
      if (event.type === 'closed' && link.closedByUs) return;
      const cause =
        event.type === 'failed' ? event.error : closeError(this.#s.scope, event.code, event.reason);
      if (this.#closeStreamSent) {
        // Input is over and its audio already sent: a new connection has nothing to work on.
        if (event.type === 'closed' && event.code === 1000) return;
        throw cause;
      }
      await this.#reconnect(cause);
    }
  }

  async #reconnect(cause: ProviderError): Promise<void> {
    if (!cause.details.retryable) throw cause;
    let last: unknown;
    for (let attempt = 1; attempt <= this.#s.maxReconnectAttempts; attempt++) {
      const backoff = Math.min(this.#s.reconnectBackoffMs * 2 ** (attempt - 1), 10_000);
      await this.#ctx.clock.sleep(backoff, this.#signal);
      try {
        await this.#connect();
        return;
      } catch (err) {
        if (this.#signal.aborted) throw this.#signal.reason;
        last = err;
        if (err instanceof ProviderError && !err.details.retryable) throw err;
      }
    }
    const tried = this.#s.maxReconnectAttempts;
    const lastSaid = last instanceof Error ? `; last: ${last.message}` : '';
    throw new ProviderError(
      cause.provider,
      tried > 0
        ? `${cause.message}, and ${tried} reconnect attempts failed${lastSaid}`
        : cause.message,
      { ...cause.details, ...(last !== undefined ? { cause: last } : {}) },
    );
  }

  #onMessage(data: unknown): void {
    const parsed = parseServerMessage(data);
    if (parsed.kind === 'malformed') throw protocolError(this.#s.scope, parsed.what);
    if (parsed.kind === 'message') this.#emit(this.#handle(parsed.message));
  }

  #handle(message: ServerMessage): STTEvent[] {
    const now = this.#ctx.clock.now();
    switch (message.type) {
      case 'SpeechStarted':
        return this.#assembler.speechStarted();
      case 'Results': {
        const latency = this.#timeline.latency(message.start + message.duration, now);
        return this.#assembler.results(
          message.channel.alternatives[0]?.transcript ?? '',
          { isFinal: message.is_final === true, speechFinal: message.speech_final === true },
          latency,
        );
      }
      case 'UtteranceEnd':
        return this.#assembler.endOfUtterance(this.#timeline.latency(message.last_word_end, now));
      case 'Error': {
        const said = message.description ?? message.message ?? message.err_msg ?? 'unknown error';
        throw new ProviderError(
          this.#s.scope.provider,
          `Deepgram said: ${redact(said, this.#s.scope.secrets)}`,
          {
            retryable: false,
            hint: 'Deepgram rejected the stream: check the model, language and audio settings',
          },
        );
      }
      default:
        return [];
    }
  }

  #emit(events: STTEvent[]): void {
    for (const event of events) this.#out.push(event);
  }

  #asProviderError(err: unknown): ProviderError {
    if (err instanceof ProviderError) return err;
    return new ProviderError(this.#s.scope.provider, 'could not start the stream', {
      retryable: false,
      hint: 'check the Deepgram options (model, language, keyterms)',
      cause: sanitizeCause(err, this.#s.scope.secrets),
    });
  }
}
