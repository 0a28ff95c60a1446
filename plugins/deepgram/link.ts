import { ProviderError } from '../../src/runtime/models/context.js';
import { AsyncQueue } from '../shared/async-queue.js';
import {
  connectionError,
  type ErrorScope,
  redact,
  statusError,
  timeoutError,
} from '../shared/errors.js';

/** The part of the SDK's listen/speak sockets a link needs. */
export interface SdkSocket {
  on(event: 'open', callback: () => void): void;
  on(event: 'message', callback: (message: unknown) => void): void;
  on(event: 'close', callback: (event: { code: number; reason?: string }) => void): void;
  on(event: 'error', callback: (error: Error) => void): void;
  connect(): unknown;
  close(): void;
  readonly readyState: number;
}

export type LinkEvent =
  | { readonly type: 'message'; readonly data: unknown }
  | { readonly type: 'closed'; readonly code: number; readonly reason: string }
  | { readonly type: 'failed'; readonly error: ProviderError };

const OPEN = 1;

/**
 * One WebSocket connection, as an ordered stream of events. The SDK reports a failure as a
 * synthetic close (code 1000) immediately followed by the error; closes are therefore
 * delivered a microtask late, so the error wins and a failure never looks like a clean end.
 */
export class SocketLink<S extends SdkSocket> {
  readonly socket: S;
  readonly events = new AsyncQueue<LinkEvent>();
  #failed = false;
  #closedByUs = false;

  private constructor(socket: S) {
    this.socket = socket;
  }

  /** Connects and resolves once the socket is open; rejects with a ProviderError. */
  static async open<S extends SdkSocket>(
    socket: S,
    scope: ErrorScope,
    signal: AbortSignal,
  ): Promise<SocketLink<S>> {
    const link = new SocketLink(socket);
    const opened = new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        link.close();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.on('open', () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      socket.on('message', (data) => link.events.push({ type: 'message', data }));
      socket.on('error', (error) => {
        if (link.#failed || link.#closedByUs) return;
        link.#failed = true;
        const mapped = deepgramError(error, scope);
        signal.removeEventListener('abort', onAbort);
        reject(mapped);
        link.events.push({ type: 'failed', error: mapped });
        link.events.close();
      });
      socket.on('close', (event) => {
        queueMicrotask(() => {
          if (link.#failed || link.events.ended) return;
          const reason = redact(event.reason ?? '', scope.secrets);
          if (!link.#closedByUs) reject(closeError(scope, event.code, reason));
          link.events.push({ type: 'closed', code: event.code, reason });
          link.events.close();
        });
      });
    });
    if (signal.aborted) throw signal.reason;
    socket.connect();
    await opened;
    return link;
  }

  get isOpen(): boolean {
    return !this.events.ended && this.socket.readyState === OPEN;
  }

  /** Whether the last close was asked for by this side. */
  get closedByUs(): boolean {
    return this.#closedByUs;
  }

  /** Closes now (idempotent); the event stream ends with a `closed` event. */
  close(): void {
    if (this.#closedByUs) return;
    this.#closedByUs = true;
    try {
      this.socket.close();
    } catch {
      // Already closed.
    }
  }
}

/** A socket error (handshake refused, network) as a ProviderError. */
export function deepgramError(error: Error, scope: ErrorScope): ProviderError {
  const message = error.message ?? '';
  const status = /Unexpected server response: (\d{3})/.exec(message);
  if (status) return statusError(scope, Number(status[1]), undefined, { cause: error });
  if (message === 'TIMEOUT' || /timed? ?out/i.test(message)) {
    return timeoutError(
      scope,
      'the WebSocket handshake did not finish',
      `check the network and ${scope.urlVar}`,
    );
  }
  return connectionError(scope, error);
}

// Close codes that mean "this request will never work": retrying cannot help.
const FATAL_CLOSE_CODES = new Set([1002, 1003, 1007, 1008, 1009, 1010]);

/** An unexpected close as a ProviderError whose status is the close code. */
export function closeError(scope: ErrorScope, code: number, reason: string): ProviderError {
  const fatal = FATAL_CLOSE_CODES.has(code);
  const said = reason ? `: ${reason}` : '';
  return new ProviderError(scope.provider, `connection closed (code ${code}${said})`, {
    status: code,
    retryable: !fatal,
    hint: fatal
      ? 'Deepgram rejected the stream: check the model, encoding and sample rate'
      : 'the connection dropped: retry',
  });
}
