/**
 * A local TLS WebSocket server that speaks the OpenAI Realtime GA protocol well enough for
 * the real `openai` SDK (`OpenAIRealtimeWS`): `GET /v1/realtime?model=…` upgraded over
 * HTTPS (the SDK always uses `wss:`; the certificate comes from `testTls()`), then
 * session, conversation, input-buffer and response events. Each connection follows the
 * next connect script; each response (asked for, or started by server turn detection)
 * follows the next response script. Faults: a refused upgrade (401, 429), no session,
 * a server `error` event mid-response, a failed response, an abrupt close, no answer.
 */
import { EventEmitter, once } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { FakeRealtimeConnection } from './fake-realtime-connection.js';
import { testTls } from './test-tls.js';

export type ConnectScript =
  | {
      /** Never send `session.created` (the client's connect timeout fires). */
      readonly silent?: boolean;
      /** Spoken by the user, in ms of audio appended on this connection (server VAD). */
      readonly userSpeech?: readonly UserSpeech[];
      /**
       * Every `response.cancel` arrives too late: the response runs to its end, then the
       * cancel is refused because nothing is active (the race of a cancel and a `done`).
       */
      readonly lateCancels?: boolean;
    }
  /** Refuse the upgrade with this HTTP status and an OpenAI-style JSON error body. */
  | {
      readonly reject: number;
      readonly retryAfter?: string;
      readonly code?: string;
      readonly message?: string;
    };

export interface UserSpeech {
  readonly startMs: number;
  readonly endMs: number;
  /** What the transcriber hears, in the deltas it sends. Default `['hello']`. */
  readonly transcript?: readonly string[];
}

export interface ScriptedCall {
  readonly name: string;
  readonly callId: string;
  /** The argument JSON, cut into the deltas the server streams. */
  readonly arguments: readonly string[];
}

export interface ServerErrorBody {
  readonly type: string;
  readonly code?: string;
  readonly message: string;
}

export type ResponseFault =
  /** A server `error` event, then (unless `noDone`) `response.done` with status failed. */
  | { readonly kind: 'error'; readonly error: ServerErrorBody; readonly noDone?: boolean }
  /** `response.done` with status failed. */
  | { readonly kind: 'failed'; readonly error: { readonly type: string; readonly code: string } }
  /** The socket is destroyed (no close frame: code 1006), or closed with `code`. */
  | { readonly kind: 'close'; readonly code?: number };

export type ResponseScript =
  | {
      readonly type?: 'reply';
      /** Transcript (audio output) or text (text output), as the deltas the server streams. */
      readonly text?: readonly string[];
      /** Audio of the message; default 60 ms per character of text (audio output only). */
      readonly audioMs?: number;
      readonly toolCalls?: readonly ScriptedCall[];
      /** Pause once this much audio is sent, until `release()` or a cancel. */
      readonly holdAtAudioMs?: number;
      /** Answer a `response.cancel` only after this long (a cancel still in flight). */
      readonly cancelDelayMs?: number;
      /** Fails once this much audio is sent (0: before any output). */
      readonly fault?: ResponseFault & { readonly atAudioMs?: number };
      readonly status?: 'completed' | 'incomplete';
    }
  /** Never answer the `response.create`. */
  | { readonly type: 'hang' };

export interface RecordedTruncation {
  readonly itemId: string;
  readonly requestedMs: number;
  /** What the server applied (clamped to the item's audio). */
  readonly audioEndMs: number;
}

/** One item of the server's conversation as the fake holds it. */
export interface FakeItem {
  readonly id: string;
  readonly type: 'message' | 'function_call' | 'function_call_output';
  readonly role?: 'user' | 'assistant' | 'system';
  /** input_text / output_text / transcript of the audio. */
  text: string;
  /** Audio the item holds (assistant audio, committed user audio). */
  audioMs: number;
  readonly callId?: string;
  readonly name?: string;
  readonly arguments?: string;
  readonly output?: string;
}

export interface RecordedConnection {
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Client events as received (JSON), in order. */
  readonly events: Array<Record<string, unknown>>;
  readonly truncations: RecordedTruncation[];
  /** Codes (or messages) of the `error` events the server sent, in order. */
  readonly errorsSent: string[];
  readonly conversation: FakeItem[];
  appendedMs: number;
  closed: boolean;
}

export class FakeOpenAIRealtimeServer {
  readonly connections: RecordedConnection[] = [];
  readonly #https: Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #connectScripts: ConnectScript[] = [];
  readonly #responseScripts: ResponseScript[] = [];
  readonly #live: FakeRealtimeConnection[] = [];
  readonly #changes = new EventEmitter();
  #counter = 0;

  private constructor(https: Server) {
    this.#https = https;
  }

  static async start(): Promise<FakeOpenAIRealtimeServer> {
    const tls = testTls();
    const https = createServer({ key: tls.keyPem, cert: tls.certPem }, (_req, res) =>
      res.writeHead(404).end(),
    );
    const fake = new FakeOpenAIRealtimeServer(https);
    https.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'https://fake');
      const script = fake.#connectScripts.shift() ?? {};
      if (url.pathname !== '/v1/realtime' || 'reject' in script) {
        const refusal = 'reject' in script ? script : { reject: 404, message: 'no such path' };
        socket.end(refusalResponse(refusal, req.headers.authorization ?? ''));
        return;
      }
      fake.#wss.handleUpgrade(req, socket, head, (ws) => {
        const record: RecordedConnection = {
          query: url.searchParams,
          headers: req.headers,
          events: [],
          truncations: [],
          errorsSent: [],
          conversation: [],
          appendedMs: 0,
          closed: false,
        };
        fake.connections.push(record);
        const connection = new FakeRealtimeConnection(ws, record, script, {
          nextResponse: () => fake.#responseScripts.shift() ?? { text: ['ok'] },
          nextId: (prefix) => `${prefix}_${++fake.#counter}`,
          changed: () => fake.#changes.emit('change'),
        });
        fake.#live.push(connection);
        fake.#changes.emit('change');
      });
    });
    https.listen(0, '127.0.0.1');
    await once(https, 'listening');
    return fake;
  }

  /** Base URL for the SDK, e.g. `https://127.0.0.1:41234/v1` (it connects with `wss:`). */
  get url(): string {
    return `https://127.0.0.1:${(this.#https.address() as AddressInfo).port}/v1`;
  }

  /** The CA that signed the server's certificate (the plugin's `ca` option). */
  get ca(): string {
    return testTls().caPem;
  }

  connect(...scripts: ConnectScript[]): this {
    this.#connectScripts.push(...scripts);
    return this;
  }

  respond(...scripts: ResponseScript[]): this {
    this.#responseScripts.push(...scripts);
    return this;
  }

  /** The newest connection, to send events or drop it from a test. */
  get last(): FakeRealtimeConnection {
    const last = this.#live.at(-1);
    if (!last) throw new Error('no realtime connection yet');
    return last;
  }

  /** Resolves once a response is paused at its `holdAtAudioMs`. */
  held(): Promise<void> {
    return this.waitFor(() => this.#live.some((connection) => connection.holding));
  }

  /** Lets a response paused at `holdAtAudioMs` continue. */
  release(): void {
    for (const connection of this.#live) connection.release();
  }

  /** Resolves once `check()` holds (checked on every connection, event and close). */
  waitFor(check: () => boolean): Promise<void> {
    const holds = () => {
      try {
        return check();
      } catch {
        return false;
      }
    };
    if (holds()) return Promise.resolve();
    return new Promise((resolve) => {
      const onChange = () => {
        if (!holds()) return;
        this.#changes.off('change', onChange);
        resolve();
      };
      this.#changes.on('change', onChange);
    });
  }

  /** Client events of one type received on connection `index` (default: all connections). */
  eventsOf(type: string, index?: number): Array<Record<string, unknown>> {
    const records = index === undefined ? this.connections : [this.connections[index]!];
    return records.flatMap((c) => c.events.filter((e) => e.type === type));
  }

  async close(): Promise<void> {
    this.release();
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
    this.#https.closeAllConnections();
    await new Promise<void>((resolve) => this.#https.close(() => resolve()));
  }
}

function refusalResponse(
  refusal: Extract<ConnectScript, { reject: number }>,
  authorization: string,
): string {
  const status = refusal.reject;
  // A 401 echoes the credential it got: the worst a proxy could do, to prove redaction.
  const message =
    refusal.message ??
    (status === 401 ? `Incorrect API key provided: ${authorization}` : `fake refusal ${status}`);
  const body = JSON.stringify({
    error: { message, type: 'invalid_request_error', code: refusal.code ?? null, param: null },
  });
  const retry = refusal.retryAfter ? `Retry-After: ${refusal.retryAfter}\r\n` : '';
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n${retry}` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
