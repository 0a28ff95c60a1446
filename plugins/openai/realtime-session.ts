import type OpenAI from 'openai';
import type {
  RealtimeClientEvent,
  RealtimeError,
  RealtimeResponse,
  RealtimeServerEvent,
} from 'openai/resources/realtime/realtime';
import type { AudioFrame } from '../../src/runtime/audio/frame.js';
import type { Clock } from '../../src/runtime/clock/clock.js';
import { ProviderError } from '../../src/runtime/models/context.js';
import type {
  RealtimeChunk,
  RealtimeEvent,
  RealtimeRequest,
  RealtimeSession,
} from '../../src/runtime/models/realtime.js';
import { type ErrorScope, timeoutError } from '../shared/errors.js';
import { RemoteConversation } from './realtime-conversation.js';
import { InputAudio, MIN_COMMIT_MS } from './realtime-input.js';
import { type CertificateAuthorities, RealtimeLink } from './realtime-link.js';
import {
  REALTIME_SAMPLE_RATE,
  raceKind,
  requestConfig,
  type SessionSettings,
  serverError,
  sessionConfig,
} from './realtime-protocol.js';
import { ResponseStream } from './realtime-response.js';
import { Waiters } from './realtime-waiters.js';

export interface SessionParams {
  readonly client: OpenAI;
  readonly model: string;
  readonly ca?: CertificateAuthorities;
  readonly scope: ErrorScope;
  readonly settings: SessionSettings;
  readonly clock: Clock;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly connectBufferMs: number;
}

/** One connection and what the client knows of its server-side state. */
interface Connection {
  link: RealtimeLink | undefined;
  readonly conversation: RemoteConversation;
  /** The request part of the configuration last sent (JSON), to send only changes. */
  config: string | undefined;
}

/** Client events whose errors mean something particular. */
type SentEvent =
  | { readonly kind: 'cancel' | 'commit' | 'other' }
  | { readonly kind: 'truncate' | 'delete' | 'create_item'; readonly itemId: string };

const MAX_CREATE_ATTEMPTS = 3;
const MAX_TRACKED_EVENTS = 256;

/**
 * A conversation with an OpenAI Realtime model over one WebSocket at a time. It connects on
 * the first audio or response, and after a failure on the next one. Each `respond()` first
 * makes the server's configuration and conversation match the request, then asks for one
 * response; turn detection on the server only reports speech (it never answers by itself).
 */
export class OpenAIRealtimeSession implements RealtimeSession {
  readonly #params: SessionParams;
  readonly #listeners = new Set<(event: RealtimeEvent) => void>();
  readonly #input: InputAudio;
  readonly #waiters: Waiters;
  readonly #sent = new Map<string, SentEvent>();
  /** Responses the server is running (created, not done), ours or not. */
  readonly #active = new Set<string>();
  readonly #transcripts = new Map<string, string>();
  #conn: Connection | undefined;
  #connecting: Promise<Connection> | undefined;
  #current: ResponseStream | undefined;
  #cancelResponseTimer: () => void = () => {};
  #counts = { event: 0, item: 0, response: 0, failures: 0 };
  #retryAt = 0;
  #closed = false;

  constructor(params: SessionParams, signal: AbortSignal) {
    this.#params = params;
    this.#input = new InputAudio(params.connectBufferMs);
    this.#waiters = new Waiters(params.clock, params.responseTimeoutMs);
    if (signal.aborted) this.#closed = true;
    else signal.addEventListener('abort', () => void this.close(), { once: true });
  }

  onEvent(listener: (event: RealtimeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  pushAudio(frame: AudioFrame): void {
    if (this.#closed) return;
    const bytes = this.#input.encode(frame);
    if (bytes.length === 0) return;
    const link = this.#openLink();
    if (link) {
      link.send({ type: 'input_audio_buffer.append', audio: bytes.toString('base64') });
      this.#input.sent(bytes);
      return;
    }
    this.#input.hold(bytes);
    this.#connectInBackground();
  }

  async commitAudio(): Promise<string | undefined> {
    const conn = this.#conn;
    if (!conn || !this.#openLink() || this.#input.bufferedMs < MIN_COMMIT_MS) {
      this.clearAudio();
      return undefined;
    }
    const done = this.#waiters.commit();
    this.#send(conn, { type: 'input_audio_buffer.commit' }, { kind: 'commit' });
    return done;
  }

  clearAudio(): void {
    this.#input.takeHeld();
    const conn = this.#conn;
    if (conn && this.#openLink() && this.#input.bufferedMs > 0) {
      this.#send(conn, { type: 'input_audio_buffer.clear' }, { kind: 'other' });
    }
    this.#input.emptied();
  }

  async truncate(itemId: string, audioEndMs: number): Promise<void> {
    const conn = this.#conn;
    const item = conn?.conversation.get(itemId);
    if (!conn || !this.#openLink() || item?.role !== 'assistant' || item.audioSamples === 0) {
      return; // Nothing of it on the server: the next sync sends the history's text instead.
    }
    const receivedMs = Math.floor((item.audioSamples * 1000) / REALTIME_SAMPLE_RATE);
    const wanted = Number.isFinite(audioEndMs) ? Math.round(audioEndMs) : 0;
    // The server refuses a cut past the audio it made, and a cut at 0: nothing was heard.
    const endMs = Math.max(0, Math.min(wanted, receivedMs));
    if (endMs === 0) {
      this.#send(
        conn,
        { type: 'conversation.item.delete', item_id: itemId },
        { kind: 'delete', itemId },
      );
      conn.conversation.deleted(itemId);
      return;
    }
    conn.conversation.truncated(itemId);
    const done = this.#waiters.truncate(itemId);
    this.#send(
      conn,
      {
        type: 'conversation.item.truncate',
        item_id: itemId,
        content_index: 0,
        audio_end_ms: endMs,
      },
      { kind: 'truncate', itemId },
    );
    await done;
  }

  async *respond(request: RealtimeRequest, signal: AbortSignal): AsyncGenerator<RealtimeChunk> {
    if (this.#closed) throw new Error('the realtime session is closed');
    if (signal.aborted) throw signal.reason;
    if (this.#current) this.#abort(this.#current, new Error('a newer response replaced this one'));
    const stream = new ResponseStream(`r${++this.#counts.response}`, this.#params.scope);
    this.#current = stream;
    const onAbort = () => this.#abort(stream, signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void this.#start(stream, request);
    try {
      for (;;) {
        const next = await stream.chunks.next();
        if (signal.aborted) throw signal.reason;
        if (next.done) return;
        yield next.value;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#abort(stream, new Error('the response was abandoned'));
      if (this.#current === stream) this.#current = undefined;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#current?.fail(new Error('the realtime session was closed'));
    this.#current = undefined;
    if (this.#conn) this.#drop(this.#conn);
    this.#input.reset();
    this.#listeners.clear();
  }

  // --- connection -------------------------------------------------------------------------

  #openLink(): RealtimeLink | undefined {
    const link = this.#conn?.link;
    return link?.isOpen ? link : undefined;
  }

  #connection(request: RealtimeRequest | undefined): Promise<Connection> {
    const conn = this.#conn;
    if (conn && this.#openLink()) return Promise.resolve(conn);
    this.#connecting ??= this.#open(request).finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #open(request: RealtimeRequest | undefined): Promise<Connection> {
    const conn: Connection = {
      link: undefined,
      conversation: new RemoteConversation(() => `vx_item_${++this.#counts.item}`),
      config: undefined,
    };
    this.#conn = conn;
    const p = this.#params;
    try {
      conn.link = await RealtimeLink.create(
        {
          client: p.client,
          model: p.model,
          ...(p.ca !== undefined ? { ca: p.ca } : {}),
          scope: p.scope,
          clock: p.clock,
          connectTimeoutMs: p.connectTimeoutMs,
          eventId: () => `vx_evt_${++this.#counts.event}`,
        },
        {
          event: (event) => this.#onEvent(conn, event),
          lost: (error) => this.#onLost(conn, error),
        },
      );
      await conn.link.opened;
    } catch (err) {
      if (this.#conn === conn) this.#conn = undefined;
      conn.link?.close();
      throw err;
    }
    if (this.#closed || this.#conn !== conn) {
      conn.link.close();
      throw new Error('the realtime session is closed');
    }
    this.#counts.failures = 0;
    this.#send(conn, { type: 'session.update', session: sessionConfig(p.settings, request) });
    if (request) conn.config = JSON.stringify(requestConfig(request));
    for (const bytes of this.#input.takeHeld()) {
      conn.link.send({ type: 'input_audio_buffer.append', audio: bytes.toString('base64') });
      this.#input.sent(bytes);
    }
    return conn;
  }

  /** Reconnects for the user's audio (server turn detection needs it), with a backoff. */
  #connectInBackground(): void {
    if (this.#connecting || this.#closed || this.#params.clock.now() < this.#retryAt) return;
    this.#connection(undefined).catch((err: unknown) => {
      const failures = ++this.#counts.failures;
      const error = asProviderError(err, this.#params.scope);
      const backoff =
        error.details.retryable === false ? Number.POSITIVE_INFINITY : 2 ** failures * 250;
      this.#retryAt = this.#params.clock.now() + Math.min(backoff, 30_000);
      this.#input.reset();
      // A response waiting on this connection reports the failure itself.
      if (!this.#liveResponse() && !this.#closed) this.#emit({ type: 'error', error });
    });
  }

  /** Forgets a connection and everything that was waiting on it. */
  #drop(conn: Connection): void {
    if (this.#conn !== conn) return;
    this.#conn = undefined;
    conn.link?.close();
    this.#active.clear();
    this.#transcripts.clear();
    this.#sent.clear();
    this.#input.reset();
    this.#waiters.releaseAll();
    this.#cancelResponseTimer();
  }

  #onLost(conn: Connection, error: ProviderError): void {
    if (this.#conn !== conn) return;
    this.#drop(conn);
    const stream = this.#liveResponse();
    if (stream) stream.fail(error);
    else if (!this.#closed) this.#emit({ type: 'error', error });
  }

  // --- responses --------------------------------------------------------------------------

  #liveResponse(): ResponseStream | undefined {
    const stream = this.#current;
    return stream && !stream.over ? stream : undefined;
  }

  async #start(stream: ResponseStream, request: RealtimeRequest): Promise<void> {
    try {
      const conn = await this.#connection(request);
      if (stream.over) return;
      await this.#waiters.idle(this.#active);
      if (stream.over) return;
      if (this.#conn !== conn) throw this.#lostBeforeAsking();
      this.#configure(conn, request);
      const plan = conn.conversation.plan(request.items);
      for (const itemId of plan.deletes) {
        this.#send(
          conn,
          { type: 'conversation.item.delete', item_id: itemId },
          { kind: 'delete', itemId },
        );
      }
      for (const { item, previousItemId } of plan.creates) {
        const event: RealtimeClientEvent = { type: 'conversation.item.create', item };
        if (previousItemId !== undefined) event.previous_item_id = previousItemId;
        this.#send(conn, event, { kind: 'create_item', itemId: item.id ?? '' });
      }
      this.#request(conn, stream);
    } catch (err) {
      stream.fail(asProviderError(err, this.#params.scope));
    }
  }

  #lostBeforeAsking(): ProviderError {
    return new ProviderError(
      this.#params.scope.provider,
      'the connection was lost before the response was asked for',
      {
        retryable: true,
        hint: 'the connection dropped: the next turn reconnects',
      },
    );
  }

  /** Sends the request's instructions, tools and tool choice when they changed. */
  #configure(conn: Connection, request: RealtimeRequest): void {
    const config = requestConfig(request);
    const json = JSON.stringify(config);
    if (json === conn.config) return;
    conn.config = json;
    this.#send(conn, { type: 'session.update', session: config });
  }

  #request(conn: Connection, stream: ResponseStream): void {
    stream.createAttempts++;
    stream.blocked = false;
    stream.createEventId = this.#send(conn, {
      type: 'response.create',
      response: { metadata: { voxagent_response: stream.tag } },
    });
    this.#cancelResponseTimer();
    const { responseTimeoutMs, scope } = this.#params;
    this.#cancelResponseTimer = this.#params.clock.timer(responseTimeoutMs, () => {
      if (stream.phase !== 'requested' || stream.blocked) return;
      const error = timeoutError(
        scope,
        `no response within ${responseTimeoutMs} ms of asking`,
        'the model is overloaded or stuck: retry, or raise responseTimeoutMs',
      );
      this.#failResponse(conn, stream, error);
    });
  }

  /** A response failed: it reports the error, and the next one starts on a fresh connection. */
  #failResponse(conn: Connection, stream: ResponseStream, error: ProviderError): void {
    stream.fail(error);
    this.#drop(conn);
  }

  #abort(stream: ResponseStream, reason: unknown): void {
    if (stream.over) return;
    const phase = stream.phase;
    const asked = stream.createEventId !== undefined;
    stream.fail(reason);
    if (this.#current === stream) this.#cancelResponseTimer();
    const conn = this.#conn;
    // A response not created yet is cancelled when `response.created` names it.
    if (!asked || phase !== 'streaming' || !conn || !this.#openLink()) return;
    const responseId = stream.responseId;
    this.#send(
      conn,
      responseId
        ? { type: 'response.cancel', response_id: responseId }
        : { type: 'response.cancel' },
      { kind: 'cancel' },
    );
  }

  #onResponseCreated(conn: Connection, response: RealtimeResponse): void {
    const id = response.id;
    if (!id) return;
    this.#active.add(id);
    const stream = this.#liveResponse();
    const tag = (response.metadata as Record<string, string> | null | undefined)?.voxagent_response;
    if (stream && tag === stream.tag) {
      stream.started(id);
      this.#cancelResponseTimer();
      return;
    }
    // Abandoned by us, or started by the server on its own: voxagent decides who speaks.
    this.#send(conn, { type: 'response.cancel', response_id: id }, { kind: 'cancel' });
  }

  #onResponseDone(conn: Connection, response: RealtimeResponse): void {
    const id = response.id ?? '';
    this.#active.delete(id);
    const stream = this.#liveResponse();
    if (stream && stream.responseId === id) {
      stream.done(response);
      if (response.status === 'failed') this.#drop(conn);
    }
    this.#waiters.wakeIdle(this.#active);
  }

  /** `response.create` met another active response: ask again once it is over. */
  async #retryWhenIdle(conn: Connection, stream: ResponseStream): Promise<void> {
    stream.blocked = true;
    await this.#waiters.idle(this.#active);
    if (stream.over || this.#conn !== conn) return;
    if (stream.createAttempts >= MAX_CREATE_ATTEMPTS) {
      const error = new ProviderError(this.#params.scope.provider, 'another response never ended', {
        retryable: true,
        hint: 'the server kept a response running: retry',
      });
      this.#failResponse(conn, stream, error);
      return;
    }
    this.#request(conn, stream);
  }

  // --- server events ----------------------------------------------------------------------

  #onEvent(conn: Connection, event: RealtimeServerEvent): void {
    if (this.#conn !== conn) return;
    switch (event.type) {
      case 'conversation.item.added':
        conn.conversation.added(event.item, event.previous_item_id);
        return;
      case 'conversation.item.done':
        conn.conversation.done(event.item);
        return;
      case 'conversation.item.deleted':
        conn.conversation.deleted(event.item_id);
        return;
      case 'conversation.item.truncated':
        conn.conversation.truncated(event.item_id);
        this.#waiters.truncated(event.item_id);
        return;
      case 'response.created':
        this.#onResponseCreated(conn, event.response);
        return;
      case 'response.done':
        this.#onResponseDone(conn, event.response);
        return;
      case 'error':
        this.#onServerError(conn, event.error);
        return;
    }
    if (!this.#onInputEvent(conn, event)) this.#onResponseEvent(conn, event);
  }

  #onResponseEvent(conn: Connection, event: RealtimeServerEvent): void {
    if (!('response_id' in event)) return;
    if (event.type === 'response.output_audio.delta') {
      conn.conversation.audio(event.item_id, base64Bytes(event.delta) / 2);
    }
    const stream = this.#liveResponse();
    if (stream && stream.responseId === event.response_id) stream.handle(event);
  }

  /** The user's side: speech detection, commits, transcription. True if it was one. */
  #onInputEvent(conn: Connection, event: RealtimeServerEvent): boolean {
    switch (event.type) {
      case 'input_audio_buffer.speech_started':
        this.#emit({ type: 'speech_started' });
        return true;
      case 'input_audio_buffer.speech_stopped':
        conn.conversation.announced(event.item_id);
        this.#emit({ type: 'speech_stopped', itemId: event.item_id });
        return true;
      case 'input_audio_buffer.committed':
        conn.conversation.announced(event.item_id);
        this.#input.emptied();
        this.#waiters.committed(event.item_id);
        return true;
      case 'conversation.item.input_audio_transcription.delta': {
        const text = (this.#transcripts.get(event.item_id) ?? '') + (event.delta ?? '');
        this.#transcripts.set(event.item_id, text);
        this.#emit({ type: 'input_transcript', itemId: event.item_id, text, final: false });
        return true;
      }
      case 'conversation.item.input_audio_transcription.completed':
        this.#transcripts.delete(event.item_id);
        this.#emit({
          type: 'input_transcript',
          itemId: event.item_id,
          text: event.transcript,
          final: true,
        });
        return true;
      case 'conversation.item.input_audio_transcription.failed': {
        this.#transcripts.delete(event.item_id);
        const said = event.error.message ? `: ${event.error.message}` : '';
        const error = new ProviderError(
          this.#params.scope.provider,
          `could not transcribe the user${said}`,
          {
            retryable: true,
            hint: "the model still heard the audio; only voxagent's transcript of it is missing",
          },
        );
        this.#emit({ type: 'error', error });
        return true;
      }
      default:
        return false;
    }
  }

  #onServerError(conn: Connection, error: RealtimeError): void {
    const sent = error.event_id ? this.#sent.get(error.event_id) : undefined;
    const race = raceKind(error);
    if (sent?.kind === 'cancel' || race === 'nothing_to_cancel') return;
    if (sent?.kind === 'truncate' || race === 'truncated_past_end') {
      if (sent?.kind === 'truncate') this.#waiters.truncated(sent.itemId);
      return;
    }
    if (sent?.kind === 'delete') {
      conn.conversation.deleted(sent.itemId); // Already gone: that is what we wanted.
      return;
    }
    const stream = this.#liveResponse();
    if (race === 'already_responding') {
      if (stream && stream.phase === 'requested') void this.#retryWhenIdle(conn, stream);
      return;
    }
    if (sent?.kind === 'create_item') conn.conversation.deleted(sent.itemId);
    const failure = serverError(error, this.#params.scope);
    if (sent?.kind === 'commit') {
      this.#waiters.committed(undefined);
      // Committing too little audio is no failure: there was nothing to answer.
      if (!/too small|empty/i.test(error.message)) this.#emit({ type: 'error', error: failure });
      return;
    }
    if (stream) this.#failResponse(conn, stream, failure);
    else this.#emit({ type: 'error', error: failure });
  }

  // --- helpers ----------------------------------------------------------------------------

  #send(conn: Connection, event: RealtimeClientEvent, what?: SentEvent): string | undefined {
    const eventId = conn.link?.send(event);
    if (eventId !== undefined && what !== undefined && what.kind !== 'other') {
      this.#sent.set(eventId, what);
      if (this.#sent.size > MAX_TRACKED_EVENTS) {
        this.#sent.delete(this.#sent.keys().next().value as string);
      }
    }
    return eventId;
  }

  #emit(event: RealtimeEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the connection keeps going.
      }
    }
  }
}

function asProviderError(err: unknown, scope: ErrorScope): ProviderError {
  if (err instanceof ProviderError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderError(scope.provider, message, { retryable: false });
}

/** Decoded length of a base64 string, without decoding it. */
function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}
