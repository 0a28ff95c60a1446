import type {
  RealtimeClientEvent,
  RealtimeError,
  RealtimeResponse,
  RealtimeServerEvent,
} from 'openai/resources/realtime/realtime';
import type { AudioFrame } from '../../src/runtime/audio/frame.js';
import { ProviderError } from '../../src/runtime/models/context.js';
import type {
  RealtimeChunk,
  RealtimeEvent,
  RealtimeRequest,
  RealtimeSession,
} from '../../src/runtime/models/realtime.js';
import { timeoutError } from '../shared/errors.js';
import {
  asProviderError,
  type Connection,
  RealtimeConnector,
  type SentEvent,
  type SessionParams,
} from './realtime-connection.js';
import { InputAudio, MIN_COMMIT_MS } from './realtime-input.js';
import { REALTIME_SAMPLE_RATE, raceKind, requestConfig, serverError } from './realtime-protocol.js';
import { ResponseStream } from './realtime-response.js';
import { UserEvents } from './realtime-user-events.js';
import { Waiters } from './realtime-waiters.js';

export type { SessionParams } from './realtime-connection.js';

const MAX_CREATE_ATTEMPTS = 3;

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
  readonly #connector: RealtimeConnector;
  readonly #user: UserEvents;
  /** Responses the server is running (created, not done), ours or not. */
  readonly #active = new Set<string>();
  #current: ResponseStream | undefined;
  #cancelResponseTimer: () => void = () => {};
  #responses = 0;
  #closed = false;

  constructor(params: SessionParams, signal: AbortSignal) {
    this.#params = params;
    this.#input = new InputAudio(params.connectBufferMs);
    this.#waiters = new Waiters(params.clock, params.responseTimeoutMs);
    this.#user = new UserEvents(params.scope);
    this.#connector = new RealtimeConnector(params, this.#input, {
      event: (conn, event) => this.#onEvent(conn, event),
      lost: (conn, error) => this.#onLost(conn, error),
    });
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
    if (bytes.length === 0 || this.#connector.append(bytes)) return;
    this.#input.hold(bytes);
    // A response waiting on this connection reports a failure itself.
    this.#connector.connectInBackground((error) => {
      if (!this.#liveResponse()) this.#emit({ type: 'error', error });
    });
  }

  async commitAudio(): Promise<string | undefined> {
    const conn = this.#connector.open;
    if (!conn || this.#input.bufferedMs < MIN_COMMIT_MS) {
      this.clearAudio();
      return undefined;
    }
    const committed = this.#waiters.commit();
    this.#connector.send(conn, { type: 'input_audio_buffer.commit' }, { kind: 'commit' });
    return committed;
  }

  clearAudio(): void {
    this.#input.takeHeld();
    const conn = this.#connector.open;
    if (conn && this.#input.bufferedMs > 0) {
      this.#connector.send(conn, { type: 'input_audio_buffer.clear' });
    }
    this.#input.emptied();
  }

  async truncate(itemId: string, audioEndMs: number): Promise<void> {
    const conn = this.#connector.open;
    const item = conn?.conversation.get(itemId);
    if (!conn || item?.role !== 'assistant' || item.audioSamples === 0) {
      return; // Nothing of it on the server: the next sync sends the history's text instead.
    }
    const receivedMs = Math.floor((item.audioSamples * 1000) / REALTIME_SAMPLE_RATE);
    const wanted = Number.isFinite(audioEndMs) ? Math.round(audioEndMs) : 0;
    // The server refuses a cut past the audio it made, and a cut at 0: nothing was heard.
    const endMs = Math.max(0, Math.min(wanted, receivedMs));
    if (endMs === 0) {
      this.#delete(conn, itemId);
      return;
    }
    conn.conversation.truncated(itemId);
    const done = this.#waiters.truncate(itemId);
    this.#connector.send(
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
    const stream = new ResponseStream(`r${++this.#responses}`, this.#params.scope);
    this.#current = stream;
    const onAbort = () => this.#abort(stream, signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void this.#start(stream, request);
    try {
      for (;;) {
        const next = await stream.chunks.next();
        if (signal.aborted) throw signal.reason;
        if (this.#closed) throw new Error('the realtime session was closed');
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
    const conn = this.#connector.current;
    if (conn) this.#drop(conn);
    this.#connector.close();
    this.#listeners.clear();
  }

  // --- connection -------------------------------------------------------------------------

  /** Forgets a connection and everything that was waiting on it. */
  #drop(conn: Connection): void {
    if (!this.#connector.drop(conn)) return;
    this.#active.clear();
    this.#user.reset();
    this.#waiters.releaseAll();
    this.#cancelResponseTimer();
  }

  #onLost(conn: Connection, error: ProviderError): void {
    if (this.#connector.current !== conn) return;
    this.#drop(conn);
    const stream = this.#liveResponse();
    if (stream) stream.fail(error);
    else if (!this.#closed) this.#emit({ type: 'error', error });
  }

  #delete(conn: Connection, itemId: string): void {
    const event: RealtimeClientEvent = { type: 'conversation.item.delete', item_id: itemId };
    this.#connector.send(conn, event, { kind: 'delete', itemId });
    conn.conversation.deleted(itemId);
  }

  // --- responses --------------------------------------------------------------------------

  #liveResponse(): ResponseStream | undefined {
    const stream = this.#current;
    return stream && !stream.over ? stream : undefined;
  }

  async #start(stream: ResponseStream, request: RealtimeRequest): Promise<void> {
    try {
      const conn = await this.#connector.connect(request);
      if (stream.over) return;
      await this.#waiters.idle(this.#active);
      if (stream.over) return;
      if (this.#connector.open !== conn) throw this.#lostBeforeAsking();
      this.#sync(conn, request);
      this.#request(conn, stream);
    } catch (err) {
      stream.fail(asProviderError(err, this.#params.scope));
    }
  }

  /** Makes the server's configuration and conversation match the request. */
  #sync(conn: Connection, request: RealtimeRequest): void {
    const config = requestConfig(request);
    const json = JSON.stringify(config);
    if (json !== conn.config) {
      conn.config = json;
      this.#connector.send(conn, { type: 'session.update', session: config });
    }
    const plan = conn.conversation.plan(request.items);
    for (const itemId of plan.deletes) this.#delete(conn, itemId);
    for (const { item, previousItemId } of plan.creates) {
      const event: RealtimeClientEvent = { type: 'conversation.item.create', item };
      if (previousItemId !== undefined) event.previous_item_id = previousItemId;
      this.#connector.send(conn, event, { kind: 'create_item', itemId: item.id ?? '' });
    }
  }

  #lostBeforeAsking(): ProviderError {
    return new ProviderError(this.#params.scope.provider, 'the connection was lost before asking', {
      retryable: true,
      hint: 'the connection dropped: the next turn reconnects',
    });
  }

  #request(conn: Connection, stream: ResponseStream): void {
    stream.createAttempts++;
    stream.blocked = false;
    stream.createEventId = this.#connector.send(conn, {
      type: 'response.create',
      response: { metadata: { voxagent_response: stream.tag } },
    });
    this.#cancelResponseTimer();
    const { responseTimeoutMs, scope, clock } = this.#params;
    this.#cancelResponseTimer = clock.timer(responseTimeoutMs, () => {
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
    const streaming = stream.phase === 'streaming';
    stream.fail(reason);
    if (this.#current === stream) this.#cancelResponseTimer();
    const conn = this.#connector.open;
    // A response not created yet is cancelled when `response.created` names it.
    if (!streaming || !conn || stream.responseId === undefined) return;
    const cancel: RealtimeClientEvent = { type: 'response.cancel', response_id: stream.responseId };
    this.#connector.send(conn, cancel, { kind: 'cancel' });
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
    const cancel: RealtimeClientEvent = { type: 'response.cancel', response_id: id };
    this.#connector.send(conn, cancel, { kind: 'cancel' });
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
    if (stream.over || this.#connector.open !== conn) return;
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
    if (this.#connector.current !== conn) return;
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
    const user = {
      emit: (e: RealtimeEvent) => this.#emit(e),
      announced: (itemId: string) => conn.conversation.announced(itemId),
      committed: (itemId: string) => {
        this.#input.emptied();
        this.#waiters.committed(itemId);
      },
    };
    if (!this.#user.handle(event, user)) this.#onResponseEvent(conn, event);
  }

  #onResponseEvent(conn: Connection, event: RealtimeServerEvent): void {
    if (!('response_id' in event)) return;
    if (event.type === 'response.output_audio.delta') {
      conn.conversation.audio(event.item_id, base64Bytes(event.delta) / 2);
    }
    const stream = this.#liveResponse();
    if (stream && stream.responseId === event.response_id) stream.handle(event);
  }

  #onServerError(conn: Connection, error: RealtimeError): void {
    const sent: SentEvent | undefined = error.event_id ? conn.sent.get(error.event_id) : undefined;
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
      if (stream?.phase === 'requested') void this.#retryWhenIdle(conn, stream);
      return;
    }
    const failure = serverError(error, this.#params.scope);
    if (sent?.kind === 'commit') {
      this.#waiters.committed(undefined);
      // Committing too little audio is no failure: there was nothing to answer.
      if (!/too small|empty/i.test(error.message)) this.#emit({ type: 'error', error: failure });
      return;
    }
    if (sent?.kind === 'create_item') conn.conversation.deleted(sent.itemId);
    if (stream) this.#failResponse(conn, stream, failure);
    else this.#emit({ type: 'error', error: failure });
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

/** Decoded length of a base64 string, without decoding it. */
function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}
