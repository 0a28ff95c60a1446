/**
 * A local HTTP server that speaks enough of the OpenAI API for the real `openai` SDK:
 * Chat Completions as SSE (`data: {chat.completion.chunk}` … `data: [DONE]`),
 * `/v1/audio/speech` streaming raw 24 kHz PCM, and `/v1/audio/transcriptions` (multipart).
 * Each endpoint takes a queue of scripted steps, one per request, with faults.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedToolCall {
  readonly id: string;
  readonly name: string;
  /** The argument JSON, cut into the pieces the server streams. */
  readonly arguments: readonly string[];
}

export type HttpFault =
  | {
      readonly type: 'status';
      readonly status: number;
      readonly retryAfter?: string;
      readonly code?: string;
      readonly message?: string;
    }
  /** Accept the connection and never answer (no headers). */
  | { readonly type: 'hang' };

export type ChatStep =
  | {
      readonly type: 'reply';
      readonly text?: readonly string[];
      readonly toolCalls?: readonly ScriptedToolCall[];
      readonly usage?: { readonly prompt: number; readonly completion: number };
      /** Stop after this many data lines until `release()` is called. */
      readonly holdAfter?: number;
    }
  /** Send these text deltas, then destroy the socket (no finish, no [DONE]). */
  | { readonly type: 'cut'; readonly text: readonly string[] }
  /** Send these text deltas, then a data line that is not JSON. */
  | { readonly type: 'malformed'; readonly text?: readonly string[] }
  /** Send the headers and the role chunk, then nothing: the first token never comes. */
  | { readonly type: 'stall' }
  /** A complete-looking stream that stops without any finish_reason or [DONE]. */
  | { readonly type: 'truncated'; readonly text: readonly string[] }
  | HttpFault;

export type SpeechStep =
  /** PCM for the input; `msPerChar` (default 10) sets its length. */
  | { readonly type: 'audio'; readonly msPerChar?: number; readonly holdAfterBytes?: number }
  /** Send `bytes` of audio, then destroy the socket. */
  | { readonly type: 'cut'; readonly bytes: number }
  /** Status 200 and headers, then no bytes and no end: the first audio never comes. */
  | { readonly type: 'stall' }
  /** Status 200 with an empty body. */
  | { readonly type: 'empty' }
  | HttpFault;

export type TranscriptionStep = { readonly type: 'text'; readonly text: string } | HttpFault;

/** One body write, as seen by `FakeOpenAIServer.onWrite` (benchmarks time the plugins). */
export interface BodyWrite {
  readonly path: string;
  /** `performance.now()` just before the write was handed to the socket. */
  readonly at: number;
  /** An SSE data line's payload (chunk JSON or `[DONE]`), or a piece of PCM. */
  readonly data: string | Buffer;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly raw: Buffer;
  /** The JSON body, or the text fields of a multipart body. */
  readonly body: Record<string, unknown>;
  /** The uploaded file of a multipart body. */
  readonly file?: Buffer;
}

const SPEECH_RATE = 24_000;
const MODEL = 'gpt-4o-mini-fake';

/** Deterministic stand-in speech: a 440 Hz tone, `samples` long, as s16le bytes. */
export function fakePcm(samples: number, offset = 0): Buffer {
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    const v = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (offset + i)) / SPEECH_RATE));
    out.writeInt16LE(v, i * 2);
  }
  return out;
}

export function speechSamples(input: string, msPerChar = 10): number {
  return Math.round((input.length * msPerChar * SPEECH_RATE) / 1000);
}

export class FakeOpenAIServer {
  readonly requests: RecordedRequest[] = [];
  /** Measurement hook: called after each chat line or speech chunk is written. */
  onWrite: ((write: BodyWrite) => void) | undefined;
  readonly #server: Server;
  readonly #chat: ChatStep[] = [];
  readonly #speech: SpeechStep[] = [];
  readonly #transcription: TranscriptionStep[] = [];
  readonly #requestWaiters: Array<{ count: number; resolve: () => void }> = [];
  #release: (() => void) | undefined;
  #releaseWaiters: Array<() => void> = [];

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<FakeOpenAIServer> {
    const server = createServer();
    const fake = new FakeOpenAIServer(server);
    server.on('request', (req, res) => void fake.#handle(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  /** Base URL for the SDK, e.g. `http://127.0.0.1:41234/v1`. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`;
  }

  chat(...steps: ChatStep[]): this {
    this.#chat.push(...steps);
    return this;
  }

  speech(...steps: SpeechStep[]): this {
    this.#speech.push(...steps);
    return this;
  }

  transcription(...steps: TranscriptionStep[]): this {
    this.#transcription.push(...steps);
    return this;
  }

  /** Resolves once `count` requests have arrived in total. */
  waitForRequests(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#requestWaiters.push({ count, resolve }));
  }

  /** Resolves when a response is parked at its `holdAfter` point. */
  held(): Promise<void> {
    if (this.#release) return Promise.resolve();
    return new Promise((resolve) => this.#releaseWaiters.push(resolve));
  }

  /** Lets a held response continue. */
  release(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async close(): Promise<void> {
    this.release();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #hold(): Promise<void> {
    return new Promise((resolve) => {
      this.#release = resolve;
      for (const waiter of this.#releaseWaiters.splice(0)) waiter();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const path = (req.url ?? '').split('?')[0] ?? '';
    const parsed = parseBody(req.headers['content-type'] ?? '', raw);
    const record: RecordedRequest = {
      method: req.method ?? '',
      path,
      headers: req.headers,
      raw,
      ...parsed,
    };
    this.requests.push(record);
    for (const waiter of this.#requestWaiters.filter((w) => this.requests.length >= w.count)) {
      this.#requestWaiters.splice(this.#requestWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (path === '/v1/chat/completions') {
      await this.#handleChat(record, res, this.#chat.shift() ?? { type: 'reply', text: ['ok'] });
    } else if (path === '/v1/audio/speech') {
      await this.#handleSpeech(record, res, this.#speech.shift() ?? { type: 'audio' });
    } else if (path === '/v1/audio/transcriptions') {
      const step = this.#transcription.shift() ?? { type: 'text', text: 'hello' };
      if (step.type === 'text') json(res, 200, { text: step.text });
      else fault(res, step, record);
    } else {
      json(res, 404, { error: { message: `no route ${path}`, type: 'invalid_request_error' } });
    }
  }

  async #handleChat(req: RecordedRequest, res: ServerResponse, step: ChatStep): Promise<void> {
    if (step.type === 'status' || step.type === 'hang') return fault(res, step, req);
    const withUsage = (req.body.stream_options as { include_usage?: boolean } | undefined)
      ?.include_usage;
    const lines: string[] = [];
    const add = (delta: Record<string, unknown>, finish: string | null = null) => {
      lines.push(
        JSON.stringify(
          chunk([{ index: 0, delta, logprobs: null, finish_reason: finish }], withUsage),
        ),
      );
    };
    add({ role: 'assistant', content: '', refusal: null });
    const text = 'text' in step ? (step.text ?? []) : [];
    for (const piece of text) add({ content: piece });
    const calls = step.type === 'reply' ? (step.toolCalls ?? []) : [];
    calls.forEach((call, index) => {
      add({
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
        ],
      });
      for (const piece of call.arguments)
        add({ tool_calls: [{ index, function: { arguments: piece } }] });
    });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (step.type === 'stall') {
      res.write(`data: ${lines[0]}\n\n`);
      return;
    }
    if (step.type === 'malformed') lines.push('{"id": "chatcmpl-fake", "choices": [');
    if (step.type === 'reply') {
      add({}, calls.length > 0 ? 'tool_calls' : 'stop');
      if (withUsage) {
        const usage = step.usage ?? { prompt: 10, completion: 5 };
        lines.push(
          JSON.stringify({
            ...chunk([], true),
            usage: {
              prompt_tokens: usage.prompt,
              completion_tokens: usage.completion,
              total_tokens: usage.prompt + usage.completion,
            },
          }),
        );
      }
      lines.push('[DONE]');
    }
    for (const [i, line] of lines.entries()) {
      if (step.type === 'reply' && step.holdAfter === i) await this.#hold();
      // Wait for each write to flush, so a cut comes after the data, as on a real network.
      await new Promise<void>((resolve) => {
        const at = performance.now();
        res.write(`data: ${line}\n\n`, () => resolve());
        this.onWrite?.({ path: req.path, at, data: line });
      });
    }
    if (step.type === 'cut') res.socket?.destroy();
    else res.end();
  }

  async #handleSpeech(req: RecordedRequest, res: ServerResponse, step: SpeechStep): Promise<void> {
    if (step.type === 'status' || step.type === 'hang') return fault(res, step, req);
    const input = String(req.body.input ?? '');
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    if (step.type === 'stall') {
      res.flushHeaders();
      return;
    }
    if (step.type === 'empty') {
      res.end();
      return;
    }
    if (step.type === 'cut') {
      await new Promise<void>((resolve) =>
        res.write(fakePcm(Math.floor(step.bytes / 2)), () => resolve()),
      );
      res.socket?.destroy();
      return;
    }
    const pcm = fakePcm(speechSamples(input, step.msPerChar));
    // Odd-sized writes: samples get split across network chunks, as they do for real.
    for (let at = 0; at < pcm.length; at += 1001) {
      if (
        step.holdAfterBytes !== undefined &&
        at >= step.holdAfterBytes &&
        at - 1001 < step.holdAfterBytes
      ) {
        await this.#hold();
      }
      const piece = pcm.subarray(at, Math.min(pcm.length, at + 1001));
      const writtenAt = performance.now();
      res.write(piece);
      this.onWrite?.({ path: req.path, at: writtenAt, data: piece });
    }
    res.end();
  }
}

function chunk(choices: unknown[], withUsage: boolean | undefined): Record<string, unknown> {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: MODEL,
    system_fingerprint: null,
    choices,
    ...(withUsage ? { usage: null } : {}),
  };
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function fault(res: ServerResponse, step: HttpFault, req: RecordedRequest): void {
  if (step.type === 'hang') return;
  // A 401 echoes the credential it got: the worst a proxy could do, to prove redaction.
  const echoed = req.headers.authorization ?? '';
  const message =
    step.message ??
    (step.status === 401 ? `Incorrect API key provided: ${echoed}` : `fake failure ${step.status}`);
  const headers: Record<string, string> = step.retryAfter ? { 'retry-after': step.retryAfter } : {};
  json(
    res,
    step.status,
    { error: { message, type: 'fake_error', code: step.code ?? null, param: null } },
    headers,
  );
}

function parseBody(
  contentType: string,
  raw: Buffer,
): { body: Record<string, unknown>; file?: Buffer } {
  if (contentType.startsWith('application/json')) {
    return { body: JSON.parse(raw.toString('utf8')) as Record<string, unknown> };
  }
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return { body: {} };
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const body: Record<string, unknown> = {};
  let file: Buffer | undefined;
  let start = raw.indexOf(delimiter);
  while (start >= 0) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = raw.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, headerEnd).toString('utf8');
    const content = part.subarray(headerEnd + 4);
    const name = /name="([^"]+)"/.exec(head)?.[1] ?? '';
    if (/filename=/.test(head)) file = content;
    else body[name] = content.toString('utf8');
    start = next;
  }
  return file ? { body, file } : { body };
}

/** A base URL where nothing listens: the connection is refused. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}
