/**
 * A local `ws` server that speaks Deepgram's live APIs well enough for `@deepgram/sdk@5`:
 * `/v1/listen` (binary audio in; Results / SpeechStarted / UtteranceEnd / Metadata out;
 * KeepAlive and CloseStream understood) and `/v1/speak` (Aura: Speak / Flush / Close in;
 * linear16 audio and Flushed out). Each connection follows the next scripted behaviour.
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/** Something the listen server does once it has received `atMs` of audio. */
export type ListenStep =
  | { readonly atMs: number; readonly send: Record<string, unknown> }
  | { readonly atMs: number; readonly raw: string }
  | { readonly atMs: number; readonly close: number; readonly reason?: string };

export type ListenScript =
  | {
      readonly steps?: readonly ListenStep[];
      /** Sent when the client asks for CloseStream, before Metadata and a 1000 close. */
      readonly onCloseStream?: ReadonlyArray<Record<string, unknown>>;
      /** Answer CloseStream by closing with this code instead (a drop before the last results). */
      readonly closeStreamCode?: number;
    }
  /** Refuse the WebSocket upgrade with this HTTP status. */
  | { readonly reject: number };

export type SpeakScript =
  | {
      /** Audio length per character of text (10 ms). */
      readonly msPerChar?: number;
      /** After this many Flushed, close with `closeCode` on the next Flush. */
      readonly closeAfterFlushes?: number;
      readonly closeCode?: number;
      /** With closeAfterFlushes: send half of that reply's audio first, then close. */
      readonly closeMidAudio?: boolean;
      /** After this many Flushed, answer the next Flush with text that is not JSON. */
      readonly malformedAfterFlushes?: number;
      /** After this many Flushed, answer nothing more (a stall; the socket stays open). */
      readonly stallAfterFlushes?: number;
      /** With stallAfterFlushes: send half of that reply's audio first, then nothing. */
      readonly stallMidAudio?: boolean;
      /** After this many Flushed, answer the next Flush with `Flushed` and no audio. */
      readonly emptyAfterFlushes?: number;
    }
  | { readonly reject: number };

export interface RecordedConnection {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** JSON control messages from the client, in order. */
  readonly messages: Array<Record<string, unknown>>;
  audioBytes: number;
  closed: boolean;
}

export function results(
  transcript: string,
  at: { start: number; duration: number; isFinal: boolean; speechFinal?: boolean },
): Record<string, unknown> {
  return {
    type: 'Results',
    channel_index: [0, 1],
    duration: at.duration,
    start: at.start,
    is_final: at.isFinal,
    speech_final: at.speechFinal ?? false,
    channel: {
      alternatives: [
        {
          transcript,
          confidence: 0.98,
          words: transcript
            .split(/\s+/)
            .filter(Boolean)
            .map((word) => ({
              word,
              start: at.start,
              end: at.start + at.duration,
              confidence: 0.98,
            })),
        },
      ],
    },
    metadata: {
      request_id: 'req-fake',
      model_info: { name: 'nova-3', version: 'fake', arch: 'fake' },
      model_uuid: 'uuid-fake',
    },
    from_finalize: false,
  };
}

export const speechStarted = (timestamp: number) => ({
  type: 'SpeechStarted',
  channel: [0],
  timestamp,
});
export const utteranceEnd = (lastWordEnd: number) => ({
  type: 'UtteranceEnd',
  channel: [0, 1],
  last_word_end: lastWordEnd,
});

/** A 440 Hz tone as s16le bytes, the fake's stand-in for speech. */
export function tonePcm(samples: number, sampleRate: number): Buffer {
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)), i * 2);
  }
  return out;
}

/** One message the server sent, as seen by `FakeDeepgramServer.onSend`. */
export interface SentMessage {
  /** `/v1/listen` or `/v1/speak`. */
  readonly path: string;
  /** `performance.now()` just before the message was handed to the socket. */
  readonly at: number;
  /** JSON text, or a piece of audio. */
  readonly data: string | Buffer;
}

export class FakeDeepgramServer {
  readonly connections: RecordedConnection[] = [];
  /** Measurement hook (benchmarks): called after each scripted result or audio message. */
  onSend: ((sent: SentMessage) => void) | undefined;
  readonly #http: Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #listen: ListenScript[] = [];
  readonly #speak: SpeakScript[] = [];
  readonly #changes = new EventEmitter();

  private constructor(http: Server) {
    this.#http = http;
  }

  static async start(): Promise<FakeDeepgramServer> {
    const http = createServer((_req, res) => res.writeHead(404).end());
    const fake = new FakeDeepgramServer(http);
    http.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const scripts = url.pathname === '/v1/listen' ? fake.#listen : fake.#speak;
      const script = scripts.shift() ?? {};
      if ('reject' in script) {
        const body = JSON.stringify({
          err_code: 'FAKE',
          err_msg: `rejected with ${script.reject}`,
        });
        socket.end(
          `HTTP/1.1 ${script.reject} ${STATUS_CODES[script.reject]}\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
        return;
      }
      fake.#wss.handleUpgrade(req, socket, head, (ws) => {
        const record: RecordedConnection = {
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          messages: [],
          audioBytes: 0,
          closed: false,
        };
        fake.connections.push(record);
        ws.on('close', () => {
          record.closed = true;
          fake.#changed();
        });
        if (url.pathname === '/v1/listen')
          fake.#serveListen(ws, record, script as Exclude<ListenScript, { reject: number }>);
        else fake.#serveSpeak(ws, record, script as Exclude<SpeakScript, { reject: number }>);
        fake.#changed();
      });
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    return fake;
  }

  /** e.g. `ws://127.0.0.1:41234`. */
  get url(): string {
    return `ws://127.0.0.1:${(this.#http.address() as AddressInfo).port}`;
  }

  listen(...scripts: ListenScript[]): this {
    this.#listen.push(...scripts);
    return this;
  }

  speak(...scripts: SpeakScript[]): this {
    this.#speak.push(...scripts);
    return this;
  }

  /** Resolves once `check()` holds (checked on every connection, message and close). */
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

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  #changed(): void {
    this.#changes.emit('change');
  }

  #send(ws: WebSocket, path: string, data: string | Buffer): void {
    const at = performance.now();
    ws.send(data);
    this.onSend?.({ path, at, data });
  }

  #serveListen(
    ws: WebSocket,
    record: RecordedConnection,
    script: Exclude<ListenScript, { reject: number }>,
  ): void {
    const rate = Number(record.query.get('sample_rate') ?? 16_000);
    const steps = [...(script.steps ?? [])];
    const run = () => {
      const receivedMs = (record.audioBytes / 2 / rate) * 1000;
      while (steps.length > 0 && steps[0]!.atMs <= receivedMs && ws.readyState === ws.OPEN) {
        const step = steps.shift()!;
        if ('send' in step) this.#send(ws, record.path, JSON.stringify(step.send));
        else if ('raw' in step) this.#send(ws, record.path, step.raw);
        else ws.close(step.close, step.reason ?? '');
      }
    };
    run();
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        record.audioBytes += (data as Buffer).length;
        run();
      } else {
        const message = JSON.parse(String(data)) as Record<string, unknown>;
        record.messages.push(message);
        if (message.type === 'CloseStream' && script.closeStreamCode) {
          ws.close(script.closeStreamCode, 'fake drop');
        } else if (message.type === 'CloseStream') {
          for (const m of script.onCloseStream ?? []) ws.send(JSON.stringify(m));
          const duration = record.audioBytes / 2 / rate;
          ws.send(
            JSON.stringify({
              type: 'Metadata',
              transaction_key: 'deprecated',
              request_id: 'req-fake',
              sha256: 'fake',
              created: '2026-01-01T00:00:00Z',
              duration,
              channels: 1,
            }),
          );
          ws.close(1000);
        }
      }
      this.#changed();
    });
  }

  #serveSpeak(
    ws: WebSocket,
    record: RecordedConnection,
    script: Exclude<SpeakScript, { reject: number }>,
  ): void {
    const rate = Number(record.query.get('sample_rate') ?? 24_000);
    let buffered = '';
    let flushes = 0;
    ws.send(
      JSON.stringify({
        type: 'Metadata',
        request_id: 'req-fake',
        model_name: record.query.get('model'),
        model_version: 'fake',
        model_uuid: 'uuid-fake',
      }),
    );
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      record.messages.push(message);
      this.#changed();
      if (message.type === 'Speak') buffered += String(message.text);
      if (message.type === 'Close') ws.close(1000);
      if (message.type !== 'Flush') return;
      if (script.closeAfterFlushes === flushes) {
        if (script.closeMidAudio) {
          const samples = Math.round((buffered.length * (script.msPerChar ?? 10) * rate) / 1000);
          this.#send(ws, record.path, tonePcm(samples, rate).subarray(0, samples));
        }
        ws.close(script.closeCode ?? 1011, 'fake failure');
        return;
      }
      if (script.malformedAfterFlushes === flushes) {
        ws.send('this is not json');
        return;
      }
      const samples = Math.round((buffered.length * (script.msPerChar ?? 10) * rate) / 1000);
      const pcm = script.emptyAfterFlushes === flushes ? Buffer.alloc(0) : tonePcm(samples, rate);
      if (script.stallAfterFlushes !== undefined && flushes >= script.stallAfterFlushes) {
        if (script.stallMidAudio && flushes === script.stallAfterFlushes) {
          this.#send(ws, record.path, pcm.subarray(0, 2 * Math.floor(samples / 2)));
        }
        flushes++;
        return;
      }
      // Odd-sized binary messages, so samples straddle them as they can for real.
      for (let at = 0; at < pcm.length; at += 3001) {
        this.#send(ws, record.path, pcm.subarray(at, at + 3001));
      }
      this.#send(ws, record.path, JSON.stringify({ type: 'Flushed', sequence_id: flushes }));
      flushes++;
      buffered = '';
    });
  }
}
