import { type AudioFrame, frameDurationMs, toneFrame } from '../runtime/audio/frame.js';
import type { Clock } from '../runtime/clock/clock.js';
import { type ModelCallContext, ProviderError } from '../runtime/models/context.js';
import type {
  RealtimeChunk,
  RealtimeEvent,
  RealtimeItem,
  RealtimeRequest,
  RealtimeSession,
} from '../runtime/models/realtime.js';
import type { FakeRealtimeModel, FakeRealtimeResponse } from './fake-realtime.js';

/** An item as the fake model holds it (what a real server's conversation would hold). */
export interface FakeHeldItem {
  /** The model's id for what it made, else voxagent's id. */
  readonly key: string;
  readonly type: RealtimeItem['type'];
  readonly role: 'user' | 'assistant' | 'system' | undefined;
  /** Message text (cut after a truncation), tool arguments or tool output. */
  text: string;
  /** Audio the model made (assistant) or received (user) for it. */
  audioMs: number;
}

/** What one request changed in the model's conversation (keys of the items). */
export interface FakeRealtimeSync {
  readonly created: string[];
  readonly deleted: string[];
}

/** One conversation with a `FakeRealtimeModel`. */
export class FakeRealtimeSession implements RealtimeSession {
  /** The model's conversation, as a real server would hold it after each request. */
  readonly conversation: FakeHeldItem[] = [];
  readonly syncs: FakeRealtimeSync[] = [];
  readonly commits: { readonly itemId: string; readonly audioMs: number; readonly at: number }[] =
    [];
  pushedAudioMs = 0;
  /** Times it lost its state after a failure (the next request re-creates everything). */
  reconnects = 0;
  closed = false;
  readonly #model: FakeRealtimeModel;
  readonly #clock: Clock;
  readonly #listeners = new Set<(event: RealtimeEvent) => void>();
  #bufferedMs = 0;
  #transcripts = 0;
  /** Connected since the last failure (a session connects at its first request). */
  #connected = false;
  /** Settles when the response in flight has ended (a conversation has one at a time). */
  #inFlight: Promise<void> = Promise.resolve();

  constructor(model: FakeRealtimeModel, ctx: ModelCallContext) {
    this.#model = model;
    this.#clock = ctx.clock;
  }

  onEvent(listener: (event: RealtimeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reports `event` as if the model had (server turn detection, transcripts, errors). */
  emit(event: RealtimeEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }

  pushAudio(frame: AudioFrame): void {
    if (this.closed) return;
    const ms = frameDurationMs(frame);
    this.pushedAudioMs += ms;
    this.#bufferedMs += ms;
  }

  async commitAudio(): Promise<string | undefined> {
    if (this.closed || this.#bufferedMs <= 0) return undefined;
    const itemId = this.#model.nextId('rt_user');
    const text = this.#model.options.userTranscripts?.[this.#transcripts++] ?? '';
    const audioMs = this.#bufferedMs;
    this.#bufferedMs = 0;
    this.conversation.push({ key: itemId, type: 'message', role: 'user', text, audioMs });
    this.commits.push({ itemId, audioMs, at: this.#clock.now() });
    if (this.#model.capabilities.userTranscription && text) {
      // After the commit resolves, as a real transcription arrives after the commit.
      this.#clock.timer(0, () =>
        this.emit({ type: 'input_transcript', itemId, text, final: true }),
      );
    }
    return itemId;
  }

  clearAudio(): void {
    this.#bufferedMs = 0;
  }

  async truncate(itemId: string, audioEndMs: number): Promise<void> {
    const at = this.conversation.findIndex((item) => item.key === itemId);
    const item = this.conversation[at];
    if (item?.role !== 'assistant' || item.audioMs === 0) return;
    const heardMs = Math.max(0, Math.min(audioEndMs, item.audioMs));
    const heardText = heardMs <= 0 ? '' : cutText(item.text, heardMs / item.audioMs);
    if (heardMs <= 0) this.conversation.splice(at, 1);
    else {
      item.text = heardText;
      item.audioMs = heardMs;
    }
    this.#model.truncations.push({ itemId, audioEndMs, at: this.#clock.now(), heardText });
  }

  /**
   * One response at a time, as a real conversation allows: a request made while another
   * response is still in flight waits for it to end (as a plugin must before asking again).
   */
  async *respond(request: RealtimeRequest, signal: AbortSignal): AsyncGenerator<RealtimeChunk> {
    const previous = this.#inFlight;
    let ended = () => {};
    this.#inFlight = new Promise<void>((resolve) => {
      ended = resolve;
    });
    try {
      await untilSettledOrAborted(previous, signal);
      yield* this.#respondNow(request, signal);
    } finally {
      ended();
    }
  }

  async *#respondNow(request: RealtimeRequest, signal: AbortSignal): AsyncGenerator<RealtimeChunk> {
    if (this.closed) throw new Error('the realtime session is closed');
    if (signal.aborted) throw signal.reason;
    if (!this.#connected) {
      const refused = this.#model.connect(this.#clock.now());
      if (refused) throw refused;
      this.#connected = true;
    }
    this.#model.requests.push({ ...request, items: [...request.items] });
    this.#sync(request.items);
    const response = this.#model.pick(request);
    const progress = { itemId: undefined as string | undefined, audioSentMs: 0 };
    const onAbort = () => this.#model.cancels.push({ at: this.#clock.now(), ...progress });
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      yield* this.#play(response, request, signal, progress);
    } catch (err) {
      if (err instanceof ProviderError) this.#lose();
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.#listeners.clear();
  }

  async *#play(
    response: FakeRealtimeResponse,
    request: RealtimeRequest,
    signal: AbortSignal,
    progress: { itemId: string | undefined; audioSentMs: number },
  ): AsyncGenerator<RealtimeChunk> {
    if (response.hang) await never(signal);
    await this.#clock.sleep(response.firstAudioMs ?? 0, signal);
    const fault = this.#fault(response);
    const failAt = fault?.afterAudioMs;
    if (fault && failAt === undefined) throw fault.error;
    const text = response.text ?? '';
    const options = this.#model.options;
    const audioOutput = this.#model.capabilities.audioOutput;
    const audioMs = audioOutput ? (response.audioMs ?? text.length * (options.msPerChar ?? 60)) : 0;
    if (text || audioMs > 0) {
      const itemId = this.#model.nextId('rt_item');
      progress.itemId = itemId;
      const held: FakeHeldItem = { key: itemId, type: 'message', role: 'assistant', text, audioMs };
      this.conversation.push(held);
      yield { type: 'message_started', itemId };
      for (const chunk of this.#speech(itemId, text, audioMs)) {
        if (chunk.type === 'audio') {
          if (fault && failAt !== undefined && progress.audioSentMs >= failAt) throw fault.error;
          progress.audioSentMs += frameDurationMs(chunk.frame);
        }
        yield chunk;
        if (chunk.type === 'audio' && options.paced) {
          await this.#clock.sleep(frameDurationMs(chunk.frame), signal);
        }
      }
    }
    if (fault) throw fault.error;
    yield* this.#toolCalls(response);
    const words = text ? (text.match(/\S+\s*/g) ?? []).length : 0;
    yield {
      type: 'usage',
      inputTokens: request.items.length * 10,
      outputTokens: words,
      ...(audioOutput ? { outputAudioTokens: Math.round(audioMs / 50) } : {}),
    };
  }

  /** The message's audio frames, with its words spread over them (or just the words). */
  *#speech(itemId: string, text: string, audioMs: number): Iterable<RealtimeChunk> {
    const words = text ? (text.match(/\S+\s*/g) ?? []) : [];
    const options = this.#model.options;
    const frameMs = options.frameMs ?? 20;
    const rate = this.#model.capabilities.sampleRate;
    const frames = Math.ceil(audioMs / frameMs);
    let said = 0;
    let sample = 0;
    for (let index = 0; index < frames; index++) {
      for (; said < words.length && said * frames <= index * words.length; said++) {
        yield { type: 'text', itemId, delta: words[said]! };
      }
      const ms = Math.min(frameMs, audioMs - index * frameMs);
      const frame = toneFrame(ms, rate, 330, 8000, sample);
      sample += frame.samplesPerChannel;
      yield { type: 'audio', itemId, frame };
    }
    for (; said < words.length; said++) yield { type: 'text', itemId, delta: words[said]! };
  }

  *#toolCalls(response: FakeRealtimeResponse): Iterable<RealtimeChunk> {
    for (const call of response.toolCalls ?? []) {
      const itemId = this.#model.nextId('rt_item');
      const args =
        typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {});
      const id = call.id ?? this.#model.nextId('call');
      this.conversation.push({
        key: itemId,
        type: 'function_call',
        role: undefined,
        text: args,
        audioMs: 0,
      });
      yield { type: 'tool_call', itemId, call: { id, name: call.name, arguments: args } };
    }
  }

  /** Makes the conversation hold `items`: missing ones are created, others deleted. */
  #sync(items: readonly RealtimeItem[]): void {
    const wanted = new Map(items.map((item) => [item.realtimeId ?? item.id, item]));
    const sync: FakeRealtimeSync = { created: [], deleted: [] };
    for (let i = this.conversation.length - 1; i >= 0; i--) {
      const key = this.conversation[i]!.key;
      if (wanted.has(key)) continue;
      this.conversation.splice(i, 1);
      sync.deleted.unshift(key);
    }
    const held = new Set(this.conversation.map((item) => item.key));
    let at = 0;
    for (const [key, item] of wanted) {
      const index = this.conversation.findIndex((h) => h.key === key);
      if (held.has(key)) {
        at = index + 1;
        continue;
      }
      this.conversation.splice(at++, 0, {
        key,
        type: item.type,
        role: item.type === 'message' ? item.role : undefined,
        text:
          item.type === 'message'
            ? item.text
            : item.type === 'function_call'
              ? item.arguments
              : item.output,
        audioMs: 0,
      });
      sync.created.push(key);
    }
    this.syncs.push(sync);
  }

  /** After a failure the model's state is gone, as after a reconnect. */
  #lose(): void {
    if (!this.#connected) return;
    this.#connected = false;
    this.conversation.length = 0;
    this.#bufferedMs = 0;
    this.reconnects++;
  }

  /** The response's scripted failure (a server error, else a dropped socket), if any. */
  #fault(
    response: FakeRealtimeResponse,
  ): { afterAudioMs: number | undefined; error: ProviderError } | undefined {
    const label = this.#model.label;
    const { error, disconnect } = response;
    if (error) {
      const failure = new ProviderError(error.provider ?? label, error.message, {
        ...(error.status !== undefined ? { status: error.status } : {}),
        retryable: error.retryable ?? false,
      });
      return { afterAudioMs: error.afterAudioMs, error: failure };
    }
    if (!disconnect) return undefined;
    const code = disconnect.code ?? 1006;
    const said = disconnect.reason ? `: ${disconnect.reason}` : '';
    const failure = new ProviderError(label, `connection closed (code ${code}${said})`, {
      status: code,
      retryable: !REFUSING_CLOSE_CODES.has(code),
    });
    return { afterAudioMs: disconnect.afterAudioMs, error: failure };
  }
}

/** Close codes by which a server refuses the session rather than dropping it. */
const REFUSING_CLOSE_CODES = new Set([1002, 1003, 1007, 1008, 1009, 1010]);

/** Waits for `previous` to settle; rejects with the signal's reason if it aborts first. */
function untilSettledOrAborted(previous: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void previous.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** Resolves never; rejects with the signal's reason when it aborts. */
function never(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** The first `fraction` of `text`, ending at a word boundary. */
function cutText(text: string, fraction: number): string {
  if (fraction >= 1) return text;
  const cut = text.slice(0, Math.round(text.length * fraction));
  const boundary = cut.length < text.length && !/\s/.test(text[cut.length] ?? ' ');
  return (boundary ? cut.replace(/\S*$/, '') : cut).trimEnd();
}
