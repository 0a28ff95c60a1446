import type OpenAI from 'openai';
import type { RealtimeClientEvent, RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import type { Clock } from '../../src/runtime/clock/clock.js';
import { ProviderError } from '../../src/runtime/models/context.js';
import type { ErrorScope } from '../shared/errors.js';
import { RemoteConversation } from './realtime-conversation.js';
import type { InputAudio } from './realtime-input.js';
import { type CertificateAuthorities, RealtimeLink } from './realtime-link.js';
import type { RequestSettings } from './realtime-protocol.js';
import { requestConfig, type SessionSettings, sessionConfig } from './realtime-protocol.js';

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

/** Client events whose errors mean something particular. */
export type SentEvent =
  | { readonly kind: 'cancel' | 'commit' }
  | { readonly kind: 'truncate' | 'delete' | 'create_item'; readonly itemId: string };

/** One connection and what the client knows of its server-side state. */
export interface Connection {
  link: RealtimeLink | undefined;
  readonly conversation: RemoteConversation;
  /** The request part of the configuration last sent (JSON), to send only changes. */
  config: string | undefined;
  /** `event_id` → the client events whose errors need telling apart. */
  readonly sent: Map<string, SentEvent>;
}

export interface ConnectionHandlers {
  event(conn: Connection, event: RealtimeServerEvent): void;
  lost(conn: Connection, error: ProviderError): void;
}

const MAX_TRACKED_EVENTS = 256;
const MAX_BACKOFF_MS = 30_000;

/**
 * The session's one connection at a time: opened on demand (one attempt shared by all who
 * ask), configured as soon as it is open, and opened again in the background for the
 * user's audio after a failure, with a backoff (none after a refusal such as a bad key).
 */
export class RealtimeConnector {
  readonly #params: SessionParams;
  readonly #input: InputAudio;
  readonly #handlers: ConnectionHandlers;
  #conn: Connection | undefined;
  #connecting: Promise<Connection> | undefined;
  #counts = { event: 0, item: 0, failures: 0 };
  #retryAt = 0;
  #closed = false;

  constructor(params: SessionParams, input: InputAudio, handlers: ConnectionHandlers) {
    this.#params = params;
    this.#input = input;
    this.#handlers = handlers;
  }

  /** The connection being used or opened. */
  get current(): Connection | undefined {
    return this.#conn;
  }

  /** The connection, if it is open. */
  get open(): Connection | undefined {
    return this.#conn?.link?.isOpen ? this.#conn : undefined;
  }

  /** The open connection, or one being opened (configured with `request` if it is new). */
  connect(request: RequestSettings | undefined): Promise<Connection> {
    const open = this.open;
    if (open) return Promise.resolve(open);
    this.#connecting ??= this.#open(request).finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  /** Connects for the user's audio, unless it failed lately; a failure goes to `failed`. */
  connectInBackground(failed: (error: ProviderError) => void): void {
    if (this.#connecting || this.#closed || this.#params.clock.now() < this.#retryAt) return;
    this.connect(undefined).catch((err: unknown) => {
      const failures = ++this.#counts.failures;
      const error = asProviderError(err, this.#params.scope);
      const backoff =
        error.details.retryable === false ? Number.POSITIVE_INFINITY : 2 ** failures * 250;
      this.#retryAt = this.#params.clock.now() + Math.min(backoff, MAX_BACKOFF_MS);
      this.#input.reset();
      if (!this.#closed) failed(error);
    });
  }

  /** Forgets `conn` (closing it); false if it was not the current one. */
  drop(conn: Connection): boolean {
    if (this.#conn !== conn) return false;
    this.#conn = undefined;
    conn.link?.close();
    this.#input.reset();
    return true;
  }

  close(): void {
    this.#closed = true;
    if (this.#conn) this.drop(this.#conn);
  }

  /** Sends on `conn`; `what` is remembered so an error naming the event can be told apart. */
  send(conn: Connection, event: RealtimeClientEvent, what?: SentEvent): string | undefined {
    const eventId = conn.link?.send(event);
    if (eventId !== undefined && what !== undefined) {
      conn.sent.set(eventId, what);
      if (conn.sent.size > MAX_TRACKED_EVENTS) {
        conn.sent.delete(conn.sent.keys().next().value as string);
      }
    }
    return eventId;
  }

  /** Appends user audio to the open connection's input buffer; false if there is none. */
  append(bytes: Buffer): boolean {
    const link = this.open?.link;
    if (!link) return false;
    link.send({ type: 'input_audio_buffer.append', audio: bytes.toString('base64') });
    this.#input.sent(bytes);
    return true;
  }

  async #open(request: RequestSettings | undefined): Promise<Connection> {
    const conn: Connection = {
      link: undefined,
      conversation: new RemoteConversation(() => `vx_item_${++this.#counts.item}`),
      config: undefined,
      sent: new Map(),
    };
    this.#conn = conn;
    try {
      conn.link = await RealtimeLink.create(this.#linkOptions(), {
        event: (event) => this.#handlers.event(conn, event),
        lost: (error) => this.#handlers.lost(conn, error),
      });
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
    const session = sessionConfig(this.#params.settings, request);
    this.send(conn, { type: 'session.update', session });
    if (request) conn.config = JSON.stringify(requestConfig(request));
    for (const bytes of this.#input.takeHeld()) this.append(bytes);
    return conn;
  }

  #linkOptions() {
    const p = this.#params;
    return {
      client: p.client,
      model: p.model,
      ...(p.ca !== undefined ? { ca: p.ca } : {}),
      scope: p.scope,
      clock: p.clock,
      connectTimeoutMs: p.connectTimeoutMs,
      eventId: () => `vx_evt_${++this.#counts.event}`,
    };
  }
}

export function asProviderError(err: unknown, scope: ErrorScope): ProviderError {
  if (err instanceof ProviderError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderError(scope.provider, message, { retryable: false });
}
