import type { ModelCallContext, ProviderError } from '../runtime/models/context.js';
import type {
  RealtimeCapabilities,
  RealtimeItem,
  RealtimeModel,
  RealtimeRequest,
} from '../runtime/models/realtime.js';
import { type FakeProviderFailure, fakeProviderError } from './fake-llm.js';
import { FakeRealtimeSession } from './fake-realtime-session.js';

type Matcher = string | RegExp;

/** One scripted response. It is used once (unless `repeat`), by the first request it matches. */
export interface FakeRealtimeResponse {
  when?: {
    /** The last item is the user's message and contains / matches this. */
    input?: Matcher;
    /** The last item is a tool output that contains / matches this. */
    toolResult?: Matcher;
    /** The request's instructions contain / match this (which agent is speaking). */
    instructions?: Matcher;
    /** The request comes from the agent (or task) with this name. */
    agent?: string;
  };
  /** What the model says: the transcript of its audio (or its text, without audio output). */
  text?: string;
  toolCalls?: { name: string; arguments?: Record<string, unknown> | string; id?: string }[];
  /** Time from the request to the first audio (or text). Default 0. */
  firstAudioMs?: number;
  /** Length of the audio. Default: text length × `msPerChar`. */
  audioMs?: number;
  repeat?: boolean;
  /**
   * Fail as a server `error` event does: before any output, or once `afterAudioMs` of audio
   * is out. The model loses its state, as a real connection is dropped after a failure.
   */
  error?: {
    message: string;
    status?: number;
    retryable?: boolean;
    afterAudioMs?: number;
    /** The failing provider as the `error` event names it (default: the model's label). */
    provider?: string;
  };
  /**
   * The socket closes mid-response (before any output, or once `afterAudioMs` of audio is
   * out): a ProviderError `connection closed (code 1006: reason)`, retryable unless the code
   * is a refusal (1002, 1003, 1007–1010). The next request reconnects and re-creates the
   * conversation. Ignored when `error` is given.
   */
  disconnect?: { afterAudioMs?: number; code?: number; reason?: string };
  /** Never answer: the response stays open, silent, until it is aborted. */
  hang?: boolean;
}

export interface FakeRealtimeOptions {
  responses?: FakeRealtimeResponse[];
  /** Used when nothing matches; without it an unmatched request fails with a clear error. */
  fallback?: FakeRealtimeResponse;
  /** Computes a response when no scripted one matches. */
  respond?: (request: RealtimeRequest) => FakeRealtimeResponse | undefined;
  label?: string;
  /** It speaks (default); false: it writes, and the session's TTS speaks. */
  audioOutput?: boolean;
  /** Rate of the audio it makes. Default 24 000. */
  sampleRate?: number;
  /** Size of the audio frames it yields. Default 20 ms. */
  frameMs?: number;
  /** Audio length per character when a response gives no `audioMs`. Default 60 ms. */
  msPerChar?: number;
  /** Deliver audio in real time (one frame per frame length on the clock). Default false. */
  paced?: boolean;
  /** Claims server turn detection (drive it with `session.emit(...)`). Default false. */
  serverTurnDetection?: boolean;
  /** Transcribes committed user audio, with `userTranscripts` in order. Default false. */
  userTranscription?: boolean;
  /** What the user said in each committed turn, in order (`input_transcript` events). */
  userTranscripts?: string[];
  /**
   * Connection attempts that are refused (a bad key, a 429 at the upgrade), in order. A
   * session connects at its first request and again after a failure dropped it; each
   * attempt takes the next refusal, failing that request before the model sees it (no
   * response is used up). Once they are used up, connects succeed.
   */
  connectFailures?: FakeProviderFailure[];
}

/** One connection attempt of a session (`refused`: the failure's message). */
export interface FakeRealtimeConnect {
  readonly at: number;
  readonly refused: string | undefined;
}

/** A cut of the model's copy of a response, as `truncate()` asked for it. */
export interface FakeRealtimeTruncation {
  readonly itemId: string;
  /** As asked; `heardText` is cut at the same place, clamped to the audio made. */
  readonly audioEndMs: number;
  readonly at: number;
  /** What the model now holds of the item ('' when nothing was heard: it is deleted). */
  readonly heardText: string;
}

/** A response aborted before it ended. */
export interface FakeRealtimeCancel {
  readonly at: number;
  /** Its message, if it had started one. */
  readonly itemId: string | undefined;
  readonly audioSentMs: number;
}

function matches(matcher: Matcher | undefined, text: string | undefined): boolean {
  if (matcher === undefined) return true;
  if (text === undefined) return false;
  return typeof matcher === 'string' ? text.includes(matcher) : matcher.test(text);
}

/**
 * A scripted realtime model on the session clock, for tests and replays: responses keyed
 * on the last input, with time to first audio, audio length (a generated tone), transcript,
 * tool calls and faults. It records what it received: requests, truncations, cancels.
 */
export class FakeRealtimeModel implements RealtimeModel {
  readonly kind = 'realtime';
  readonly label: string;
  readonly capabilities: RealtimeCapabilities;
  /** Every request received, in order. */
  readonly requests: RealtimeRequest[] = [];
  readonly truncations: FakeRealtimeTruncation[] = [];
  readonly cancels: FakeRealtimeCancel[] = [];
  readonly sessions: FakeRealtimeSession[] = [];
  /** Every connection attempt of its sessions, in order. */
  readonly connects: FakeRealtimeConnect[] = [];
  readonly options: Readonly<FakeRealtimeOptions>;
  readonly #responses: { response: FakeRealtimeResponse; used: boolean }[];
  #ids = 0;
  #refusals = 0;

  constructor(options: FakeRealtimeOptions = {}) {
    this.options = options;
    this.label = options.label ?? 'fake-realtime';
    const audioOutput = options.audioOutput ?? true;
    this.capabilities = {
      audioOutput,
      sampleRate: options.sampleRate ?? 24_000,
      serverTurnDetection: options.serverTurnDetection ?? false,
      userTranscription: options.userTranscription ?? false,
      truncation: audioOutput,
    };
    this.#responses = (options.responses ?? []).map((response) => ({ response, used: false }));
  }

  add(response: FakeRealtimeResponse): void {
    this.#responses.push({ response, used: false });
  }

  session(ctx: ModelCallContext): FakeRealtimeSession {
    const session = new FakeRealtimeSession(this, ctx);
    this.sessions.push(session);
    return session;
  }

  /** A fresh id for something the model makes (`rt_item_1`, `call_1`, …), in order. */
  nextId(prefix: string): string {
    return `${prefix}_${++this.#ids}`;
  }

  /** A session connects at `at`: the ProviderError of a scripted refusal, else undefined. */
  connect(at: number): ProviderError | undefined {
    const failure = this.options.connectFailures?.[this.#refusals];
    this.connects.push({ at, refused: failure?.message });
    if (!failure) return undefined;
    this.#refusals++;
    return fakeProviderError(failure, this.label);
  }

  /** The response for `request` (a failing one when nothing matches and there is no fallback). */
  pick(request: RealtimeRequest): FakeRealtimeResponse {
    const last: RealtimeItem | undefined = request.items[request.items.length - 1];
    const input = last?.type === 'message' && last.role === 'user' ? last.text : undefined;
    const toolResult = last?.type === 'function_call_output' ? last.output : undefined;
    for (const entry of this.#responses) {
      if (entry.used) continue;
      const when = entry.response.when ?? {};
      if (when.input !== undefined && !matches(when.input, input)) continue;
      if (when.toolResult !== undefined && !matches(when.toolResult, toolResult)) continue;
      if (when.instructions !== undefined && !matches(when.instructions, request.instructions)) {
        continue;
      }
      if (when.agent !== undefined && when.agent !== request.agent) continue;
      if (!entry.response.repeat) entry.used = true;
      return entry.response;
    }
    const computed = this.options.respond?.(request);
    if (computed) return computed;
    if (this.options.fallback) return this.options.fallback;
    const what =
      input !== undefined
        ? `user input "${input}"`
        : toolResult !== undefined
          ? `tool result "${toolResult}"`
          : 'this request';
    return {
      error: {
        message: `no scripted realtime response for ${what} (agent ${request.agent ?? '?'})`,
      },
    };
  }
}
