import type { IncomingMessage } from 'node:http';
import { rootCertificates } from 'node:tls';
import type OpenAI from 'openai';
import type { OpenAIRealtimeError } from 'openai/realtime/internal-base';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { RealtimeClientEvent, RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import type { Clock } from '../../src/runtime/clock/clock.js';
import { ProviderError } from '../../src/runtime/models/context.js';
import {
  connectionError,
  type ErrorScope,
  errorCode,
  protocolError,
  retryAfterFrom,
  sanitizeCause,
  statusError,
  timeoutError,
} from '../shared/errors.js';
import { closedError, serverError } from './realtime-protocol.js';

export type CertificateAuthorities = string | Buffer | ReadonlyArray<string | Buffer>;

export interface LinkOptions {
  readonly client: OpenAI;
  readonly model: string;
  /** Extra certificate authorities to trust, added to Node's own. */
  readonly ca?: CertificateAuthorities;
  readonly scope: ErrorScope;
  readonly clock: Clock;
  readonly connectTimeoutMs: number;
  /** Makes the `event_id` of each client event. */
  readonly eventId: () => string;
}

export interface LinkHandlers {
  /** Every server event after `session.created`, in order. */
  event(event: RealtimeServerEvent): void;
  /** The connection failed or closed without `close()` being called. Called once. */
  lost(error: ProviderError): void;
}

type LinkState = 'connecting' | 'open' | 'closed';

/**
 * One WebSocket connection through the SDK's `OpenAIRealtimeWS`. It is open once the server
 * has sent `session.created`; every failure (refused handshake, socket error, unexpected
 * close, unparsable event) ends it, and is reported once: as the rejection of `open()`, or
 * to `lost()` afterwards.
 */
export class RealtimeLink {
  readonly #rt: OpenAIRealtimeWS;
  readonly #options: LinkOptions;
  readonly #handlers: LinkHandlers;
  #state: LinkState = 'connecting';
  readonly opened: Promise<void>;
  #settleOpen!: { resolve: () => void; reject: (error: unknown) => void };
  #cancelTimer: () => void = () => {};

  private constructor(rt: OpenAIRealtimeWS, options: LinkOptions, handlers: LinkHandlers) {
    this.#rt = rt;
    this.#options = options;
    this.#handlers = handlers;
    this.opened = new Promise<void>((resolve, reject) => {
      this.#settleOpen = { resolve, reject };
    });
    // Whoever awaits `opened` sees the failure; nobody awaiting it is not an error.
    this.opened.catch(() => {});
  }

  /**
   * Starts connecting. The link exists at once (so nothing the server sends is missed);
   * `opened` resolves once the session exists and rejects with a ProviderError.
   */
  static async create(options: LinkOptions, handlers: LinkHandlers): Promise<RealtimeLink> {
    const extra = options.ca === undefined ? [] : [options.ca].flat();
    const rt = await OpenAIRealtimeWS.create(options.client, {
      model: options.model,
      ...(extra.length > 0 ? { options: { ca: [...rootCertificates, ...extra] } } : {}),
    });
    // No socket I/O can run between `create` resolving and here: listeners miss nothing.
    const link = new RealtimeLink(rt, options, handlers);
    link.#listen();
    return link;
  }

  get isOpen(): boolean {
    return this.#state === 'open';
  }

  /** Sends a client event with a fresh `event_id` (returned); nothing when not open. */
  send(event: RealtimeClientEvent): string | undefined {
    if (this.#state !== 'open') return undefined;
    const eventId = this.#options.eventId();
    this.#rt.send({ ...event, event_id: eventId });
    return eventId;
  }

  /** Closes the connection (idempotent); `lost()` is not called for it. */
  close(): void {
    if (this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    this.#state = 'closed';
    this.#cancelTimer();
    if (wasOpen) this.#rt.close({ code: 1000, reason: 'client closed' });
    else this.#rt.socket.terminate();
    this.#settleOpen.reject(new Error('the realtime connection was closed while connecting'));
  }

  #listen(): void {
    const { scope, clock, connectTimeoutMs } = this.#options;
    this.#cancelTimer = clock.timer(connectTimeoutMs, () =>
      this.#fail(
        timeoutError(
          scope,
          `no session within ${connectTimeoutMs} ms of connecting`,
          `check the network and ${scope.urlVar}`,
        ),
      ),
    );
    this.#rt.on('event', (event) => this.#onEvent(event));
    // Without an `error` listener the SDK turns server errors into unhandled rejections.
    this.#rt.on('error', (error) => this.#onSdkError(error));
    this.#rt.socket.on('unexpected-response', (_req, res) => this.#onRefused(res));
    this.#rt.socket.on('close', (code, reason) => {
      if (this.#state !== 'closed') this.#fail(closedError(scope, code, reason.toString()));
    });
  }

  #onEvent(event: RealtimeServerEvent): void {
    if (this.#state === 'open') {
      this.#handlers.event(event);
      return;
    }
    if (this.#state !== 'connecting') return;
    if (event.type === 'session.created') {
      this.#state = 'open';
      this.#cancelTimer();
      this.#settleOpen.resolve();
    } else if (event.type === 'error') {
      this.#fail(serverError(event.error, this.#options.scope));
    }
  }

  #onSdkError(error: OpenAIRealtimeError): void {
    // Server `error` events reach `#onEvent` too; only socket-level failures matter here.
    if (error.error !== undefined || this.#state === 'closed') return;
    const { scope } = this.#options;
    if (/could not parse/.test(error.message)) {
      this.#fail(protocolError(scope, 'a server event is not JSON', error.cause ?? error));
      return;
    }
    const status = /Unexpected server response: (\d{3})/.exec(error.message);
    const cause = error.cause ?? error;
    if (status) this.#fail(statusError(scope, Number(status[1]), undefined, { cause: error }));
    else this.#fail(untrusted(scope, cause) ?? connectionError(scope, cause));
  }

  /** The handshake got an HTTP answer instead of an upgrade: read why, then give up. */
  #onRefused(res: IncomingMessage): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const error = refusalError(this.#options.scope, res, Buffer.concat(chunks));
      this.#fail(error);
    };
    res.on('data', (chunk: Buffer) => {
      if (size < 16_384) chunks.push(chunk);
      size += chunk.length;
    });
    res.on('end', finish);
    res.on('error', finish);
    res.on('close', finish);
  }

  #fail(error: ProviderError): void {
    if (this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    this.#state = 'closed';
    this.#cancelTimer();
    this.#rt.socket.terminate();
    if (wasOpen) this.#handlers.lost(error);
    else this.#settleOpen.reject(error);
  }
}

/** The server's certificate is not trusted: retrying cannot help, trusting its CA can. */
function untrusted(scope: ErrorScope, cause: unknown): ProviderError | undefined {
  const code = errorCode(cause);
  if (!code || !/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/.test(code)) return undefined;
  return new ProviderError(
    scope.provider,
    `the server's TLS certificate is not trusted (${code})`,
    {
      retryable: false,
      hint: `check ${scope.urlVar}; for a server with its own CA, pass \`ca\` or set NODE_EXTRA_CA_CERTS before Node starts`,
      cause: sanitizeCause(cause, scope.secrets),
    },
  );
}

function refusalError(scope: ErrorScope, res: IncomingMessage, body: Buffer): ProviderError {
  const status = res.statusCode ?? 0;
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(', '));
  }
  const retryAfterMs = retryAfterFrom(headers);
  const detail = errorBody(body);
  const quota = status === 429 && detail.code === 'insufficient_quota';
  return statusError(scope, status, detail.message, {
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(quota ? { retryable: false, hint: 'the account is out of quota: check billing' } : {}),
  });
}

function errorBody(body: Buffer): { message?: string; code?: string } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {
      error?: { message?: unknown; code?: unknown };
    };
    const message = parsed.error?.message;
    const code = parsed.error?.code;
    return {
      ...(typeof message === 'string' ? { message } : {}),
      ...(typeof code === 'string' ? { code } : {}),
    };
  } catch {
    const text = body.toString('utf8').trim();
    return text ? { message: text } : {};
  }
}
