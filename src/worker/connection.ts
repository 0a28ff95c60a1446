/**
 * The worker's WebSocket to LiveKit's agent service: `<url>/agent` with a Bearer JWT that
 * carries only the agent grant; binary protobuf `WorkerMessage`s out and `ServerMessage`s
 * in; `register` first, answered first. What a user can get wrong (credentials, URL, no
 * server) becomes one line naming what to check; the token and secret never appear.
 */
import {
  RegisterWorkerRequest,
  type RegisterWorkerResponse,
  ServerMessage,
  WorkerMessage,
} from '@livekit/protocol';
import { AccessToken } from 'livekit-server-sdk';
import { type RawData, WebSocket } from 'ws';
import { UsageError } from '../runtime/core/errors.js';

export type WorkerConnectErrorKind =
  | 'unauthorized'
  | 'unreachable'
  | 'not_livekit'
  | 'timeout'
  | 'failed';

/** Connecting or registering failed for a reason a user can act on: one line, exit 1. */
export class WorkerConnectError extends UsageError {
  constructor(
    readonly kind: WorkerConnectErrorKind,
    message: string,
  ) {
    super(message, 1);
  }
}

export interface AgentSocketOptions {
  /** The server's URL (`ws(s)://`, as settings.normalizeUrl gives it). */
  readonly url: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Bound on the WebSocket handshake. */
  readonly openTimeoutMs: number;
}

/** A message to the server, as plain data (`{ case: 'updateWorker', value: { … } }`). */
export type WorkerMessageBody = NonNullable<
  ConstructorParameters<typeof WorkerMessage>[0]
>['message'];

/** What `closed` resolves with. */
export interface SocketClose {
  readonly code: number;
  readonly reason: string;
}

/** No message, ping or pong from the server for this long: the connection is dead. */
const SILENCE_LIMIT_MS = 25_000;
const HEARTBEAT_MS = 10_000;

/** `ws://host:7880` → `ws://host:7880/agent`. */
export function agentUrl(url: string): string {
  const u = new URL(url);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/agent`;
  return u.toString();
}

/** The worker's token: only `video.agent`, no room, no identity. */
export async function workerToken(apiKey: string, apiSecret: string): Promise<string> {
  const token = new AccessToken(apiKey, apiSecret, { ttl: '10m' });
  token.addGrant({ agent: true });
  return token.toJwt();
}

export class AgentSocket {
  readonly closed: Promise<SocketClose>;
  readonly #ws: WebSocket;
  readonly #listeners = new Set<(m: ServerMessage) => void>();
  /**
   * Messages that came while nobody listened: the server may send a job right behind its
   * answer to `register`, in the same read, before the worker has subscribed.
   */
  readonly #unheard: ServerMessage[] = [];
  #lastHeard = Date.now();
  readonly #heartbeat: NodeJS.Timeout;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        clearInterval(this.#heartbeat);
        resolve({ code, reason: reason.toString() });
      });
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      this.#lastHeard = Date.now();
      if (!isBinary) return;
      let message: ServerMessage;
      try {
        message = ServerMessage.fromBinary(toBytes(data));
      } catch {
        return;
      }
      if (this.#listeners.size === 0) this.#unheard.push(message);
      for (const fn of [...this.#listeners]) fn(message);
    });
    // The server pings every 10 s (ws answers by itself); a silent server is a dead one.
    ws.on('ping', () => {
      this.#lastHeard = Date.now();
    });
    ws.on('pong', () => {
      this.#lastHeard = Date.now();
    });
    ws.on('error', () => undefined);
    this.#heartbeat = setInterval(() => {
      if (Date.now() - this.#lastHeard > SILENCE_LIMIT_MS) ws.terminate();
      else if (ws.readyState === ws.OPEN) ws.ping();
    }, HEARTBEAT_MS);
  }

  /** Opens the socket; rejects with a WorkerConnectError that says what to check. */
  static async open(opts: AgentSocketOptions): Promise<AgentSocket> {
    const token = await workerToken(opts.apiKey, opts.apiSecret);
    const ws = new WebSocket(agentUrl(opts.url), {
      headers: { Authorization: `Bearer ${token}` },
      handshakeTimeout: opts.openTimeoutMs,
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        const fail = () => {
          reject(refusal(opts.url, res.statusCode ?? 0, body.trim().slice(0, 200)));
          ws.terminate();
        };
        res.on('end', fail);
        res.on('error', fail);
      });
      ws.once('error', (err) => reject(connectFailure(opts.url, err, opts.openTimeoutMs)));
    });
    return new AgentSocket(ws);
  }

  get open(): boolean {
    return this.#ws.readyState === this.#ws.OPEN;
  }

  /** Subscribes; messages that arrived while nobody listened are given to `fn` first. */
  onMessage(fn: (m: ServerMessage) => void): () => void {
    this.#listeners.add(fn);
    // One at a time: `fn` may unsubscribe after the first (registration does).
    while (this.#unheard.length > 0 && this.#listeners.has(fn)) fn(this.#unheard.shift()!);
    return () => this.#listeners.delete(fn);
  }

  send(message: WorkerMessageBody): boolean {
    if (!this.open) return false;
    this.#ws.send(new WorkerMessage({ message }).toBinary());
    return true;
  }

  /**
   * Sends `register` and waits for the server's answer, which must be the first message
   * (LiveKit gives a worker 10 s to register; we give the server `timeoutMs` to answer).
   */
  register(request: PartialRegister, url: string, timeoutMs: number) {
    return new Promise<RegisterWorkerResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        this.terminate();
        reject(
          new WorkerConnectError(
            'timeout',
            `the server at ${url} accepted the worker's connection but did not answer its registration within ${timeoutMs / 1000} s: is it a LiveKit server with agents enabled? (check --url / LIVEKIT_URL)`,
          ),
        );
      }, timeoutMs);
      const off = this.onMessage((m) => {
        off();
        clearTimeout(timer);
        if (m.message.case === 'register') resolve(m.message.value);
        else {
          this.terminate();
          reject(
            new WorkerConnectError(
              'not_livekit',
              `the server at ${url} answered the worker's registration with "${m.message.case}" instead of "register" (check --url / LIVEKIT_URL)`,
            ),
          );
        }
      });
      void this.closed.then(() => {
        off();
        clearTimeout(timer);
        reject(
          new WorkerConnectError(
            'failed',
            `the server at ${url} closed the worker's connection before answering its registration`,
          ),
        );
      });
      this.send({ case: 'register', value: new RegisterWorkerRequest(request) });
    });
  }

  close(code = 1000, reason = 'worker shutting down'): void {
    if (this.#ws.readyState === this.#ws.CONNECTING) this.#ws.terminate();
    else this.#ws.close(code, reason);
  }

  terminate(): void {
    this.#ws.terminate();
  }
}

type PartialRegister = NonNullable<ConstructorParameters<typeof RegisterWorkerRequest>[0]>;

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/** The server answered the upgrade with an HTTP status instead of a WebSocket. */
function refusal(url: string, status: number, body: string): WorkerConnectError {
  const said = body ? `${status}: ${body}` : `${status}`;
  if (status === 401 || status === 403) {
    return new WorkerConnectError(
      'unauthorized',
      `the LiveKit server at ${url} refused the worker's credentials (${said}): check LIVEKIT_API_KEY / LIVEKIT_API_SECRET (--api-key / --api-secret)`,
    );
  }
  return new WorkerConnectError(
    'not_livekit',
    `${url} does not look like a LiveKit server with agents enabled (HTTP ${said} for /agent): check --url / LIVEKIT_URL`,
  );
}

function connectFailure(url: string, err: Error, openTimeoutMs: number): WorkerConnectError {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'ECONNREFUSED') {
    return new WorkerConnectError(
      'unreachable',
      `no LiveKit server at ${url} (connection refused): start one (livekit-server --dev) or check --url / LIVEKIT_URL`,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new WorkerConnectError(
      'unreachable',
      `cannot resolve the host of ${url}: check --url / LIVEKIT_URL`,
    );
  }
  if (/timed out|timeout/i.test(err.message)) {
    return new WorkerConnectError(
      'timeout',
      `no answer from a LiveKit server at ${url} within ${openTimeoutMs / 1000} s: check --url / LIVEKIT_URL`,
    );
  }
  const detail = err.message.split('\n')[0] ?? '';
  if (/invalid status|unexpected server response|invalid upgrade|sec-websocket/i.test(detail)) {
    return new WorkerConnectError(
      'not_livekit',
      `${url} does not look like a LiveKit server (${detail}): check --url / LIVEKIT_URL`,
    );
  }
  return new WorkerConnectError('failed', `could not connect to ${url}: ${detail}`);
}
