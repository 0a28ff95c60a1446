import type { AudioFrame } from '../audio/frame.js';
import type { ModelCallContext, ProviderError } from './context.js';
import type { LLMToolCall, LLMToolSpec, ToolChoice } from './llm.js';

/**
 * A speech-to-speech model (OpenAI Realtime and the like): user audio in, the agent's audio
 * and its transcript out, tool calls in between. Given as the session's (or an agent's)
 * `llm`, it replaces STT + LLM + TTS. The runtime keeps the scheduling: it decides when a
 * turn ends (locally, or on the model's own speech detection), when a response is asked for,
 * which speech plays, and it interrupts and truncates responses.
 */
export interface RealtimeModel {
  readonly kind: 'realtime';
  /** Shown in the UI header and metrics, e.g. "openai-realtime/gpt-realtime". */
  readonly label: string;
  readonly capabilities: RealtimeCapabilities;
  /** One conversation with the model; connects lazily and reconnects after a failure. */
  session(ctx: ModelCallContext): RealtimeSession;
}

export interface RealtimeCapabilities {
  /** It produces audio itself; otherwise its text goes through the session's TTS. */
  readonly audioOutput: boolean;
  /** Sample rate of the audio it produces (and prefers as input). */
  readonly sampleRate: number;
  /** It detects the user's speech itself and reports `speech_started` / `speech_stopped`. */
  readonly serverTurnDetection: boolean;
  /** It transcribes the user's audio (`input_transcript` events). */
  readonly userTranscription: boolean;
  /** `truncate()` cuts the server's copy of a response at a played position. */
  readonly truncation: boolean;
}

/** The conversation as voxagent's history has it, in order. */
export type RealtimeItem =
  | {
      readonly type: 'message';
      /** voxagent's history item id. */
      readonly id: string;
      /** The model's id for an item it created (a response, committed user audio). */
      readonly realtimeId?: string;
      readonly role: 'user' | 'assistant' | 'system';
      readonly text: string;
    }
  | {
      readonly type: 'function_call';
      readonly id: string;
      readonly realtimeId?: string;
      readonly callId: string;
      readonly name: string;
      readonly arguments: string;
    }
  | {
      readonly type: 'function_call_output';
      readonly id: string;
      readonly realtimeId?: string;
      readonly callId: string;
      readonly output: string;
    };

/** What one response is asked with; the session makes the model's state match it first. */
export interface RealtimeRequest {
  readonly instructions: string;
  readonly tools: readonly LLMToolSpec[];
  readonly toolChoice?: ToolChoice;
  /** Name of the agent asking (metadata for fakes and recordings; providers ignore it). */
  readonly agent?: string;
  /**
   * The whole conversation. Items the model does not have yet are created (in order), items
   * it has that are not here are deleted; after a reconnect everything is created again.
   */
  readonly items: readonly RealtimeItem[];
}

/** What a response yields, in the order the model produced it. */
export type RealtimeChunk =
  /** A new output item (an assistant message) begins; `itemId` is the model's id. */
  | { readonly type: 'message_started'; readonly itemId: string }
  | { readonly type: 'audio'; readonly itemId: string; readonly frame: AudioFrame }
  /** Transcript of the audio (audio output), or the text itself (text output). */
  | { readonly type: 'text'; readonly itemId: string; readonly delta: string }
  | { readonly type: 'tool_call'; readonly itemId: string; readonly call: LLMToolCall }
  | {
      readonly type: 'usage';
      readonly inputTokens: number;
      readonly outputTokens: number;
      readonly inputAudioTokens?: number;
      readonly outputAudioTokens?: number;
    };

/** Things the model reports outside a response. */
export type RealtimeEvent =
  /** Server turn detection: the user started speaking. */
  | { readonly type: 'speech_started' }
  /** Server turn detection: the user stopped; their audio is now item `itemId`. */
  | { readonly type: 'speech_stopped'; readonly itemId?: string }
  /** What the user said in item `itemId` (the model's transcription of their audio). */
  | {
      readonly type: 'input_transcript';
      readonly itemId: string;
      readonly text: string;
      readonly final: boolean;
    }
  /** A failure outside any response (the socket closed, a server error event). */
  | { readonly type: 'error'; readonly error: ProviderError };

export interface RealtimeSession {
  /** User audio (any sample rate; the session resamples). Dropped while disconnected. */
  pushAudio(frame: AudioFrame): void;
  /** Local turn detection: the buffered audio becomes a user item; resolves with its id. */
  commitAudio(): Promise<string | undefined>;
  /** Drops buffered user audio (e.g. noise that ended without a turn). */
  clearAudio(): void;
  /**
   * One response: syncs instructions, tools and items with `request`, asks for a response
   * and streams it. Ends when the response is done; throws a ProviderError when it failed.
   * Aborting `signal` cancels the response on the server (a race with its end is harmless).
   */
  respond(request: RealtimeRequest, signal: AbortSignal): AsyncIterable<RealtimeChunk>;
  /** After an interruption: cut the model's copy of item `itemId` to what was heard. */
  truncate(itemId: string, audioEndMs: number): Promise<void>;
  onEvent(listener: (event: RealtimeEvent) => void): () => void;
  close(): Promise<void>;
}

export function isRealtimeModel(value: unknown): value is RealtimeModel {
  return (
    typeof value === 'object' && value !== null && (value as RealtimeModel).kind === 'realtime'
  );
}
