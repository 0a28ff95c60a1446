/**
 * The OpenAI Realtime GA protocol as voxagent uses it: the session configuration, items and
 * tools in the wire shapes of the `openai` SDK's types (`resources/realtime/realtime.d.ts`),
 * and what a server `error` event means for the caller.
 */
import type {
  ConversationItem,
  RealtimeAudioInputTurnDetection,
  RealtimeError,
  RealtimeFunctionTool,
  RealtimeSessionCreateRequest,
  RealtimeToolChoiceConfig,
} from 'openai/resources/realtime/realtime';
import { ProviderError } from '../../src/runtime/models/context.js';
import type { LLMToolSpec, ToolChoice } from '../../src/runtime/models/llm.js';
import type { RealtimeItem } from '../../src/runtime/models/realtime.js';
import { type ErrorScope, redact } from '../shared/errors.js';

/** The only PCM rate the Realtime API takes and produces. */
export const REALTIME_SAMPLE_RATE = 24_000;

/** The model's own speech detection. It detects and commits turns; voxagent answers them. */
export type OpenAIRealtimeTurnDetection =
  | {
      readonly type: 'server_vad';
      /** Loudness needed to count as speech, 0..1 (API default 0.5). */
      readonly threshold?: number;
      /** Silence that ends a turn (API default 500 ms). */
      readonly silenceDurationMs?: number;
      /** Audio kept from before speech was detected (API default 300 ms). */
      readonly prefixPaddingMs?: number;
    }
  | {
      readonly type: 'semantic_vad';
      /** How soon the model decides the user is done (API default `auto`). */
      readonly eagerness?: 'low' | 'medium' | 'high' | 'auto';
    };

export interface OpenAIRealtimeTranscription {
  /** Default `gpt-4o-mini-transcribe`. */
  readonly model?: string;
  /** ISO-639-1 code, e.g. `en`. */
  readonly language?: string;
  /** Vocabulary or context that helps the transcriber. */
  readonly prompt?: string;
}

/** What the session configuration is built from. */
export interface SessionSettings {
  readonly voice: string;
  readonly output: 'audio' | 'text';
  readonly turnDetection: OpenAIRealtimeTurnDetection | null;
  readonly transcription: OpenAIRealtimeTranscription | false;
  readonly noiseReduction?: 'near_field' | 'far_field';
  readonly maxOutputTokens?: number;
}

/** The parts of a request the session configuration carries. */
export interface RequestSettings {
  readonly instructions: string;
  readonly tools: readonly LLMToolSpec[];
  readonly toolChoice?: ToolChoice;
}

const PCM = { type: 'audio/pcm', rate: REALTIME_SAMPLE_RATE } as const;

/**
 * The whole session configuration sent after connecting. Turn detection never creates or
 * interrupts a response by itself: the runtime decides when the model speaks.
 */
export function sessionConfig(
  settings: SessionSettings,
  request: RequestSettings | undefined,
): RealtimeSessionCreateRequest {
  const config: RealtimeSessionCreateRequest = {
    type: 'realtime',
    output_modalities: [settings.output],
    audio: {
      input: {
        format: PCM,
        // Off by default on a new session: sent only when wanted.
        ...(settings.transcription === false ? {} : { transcription: transcription(settings) }),
        turn_detection: turnDetection(settings.turnDetection),
        ...(settings.noiseReduction ? { noise_reduction: { type: settings.noiseReduction } } : {}),
      },
      ...(settings.output === 'audio' ? { output: { format: PCM, voice: settings.voice } } : {}),
    },
    ...(settings.maxOutputTokens !== undefined
      ? { max_output_tokens: settings.maxOutputTokens }
      : {}),
  };
  return request ? { ...config, ...requestConfig(request) } : config;
}

/** The request-dependent part of the configuration (sent again when it changes). */
export function requestConfig(request: RequestSettings): RealtimeSessionCreateRequest {
  return {
    type: 'realtime',
    instructions: request.instructions,
    tools: request.tools.map(toTool),
    tool_choice: toToolChoice(request.toolChoice ?? 'auto'),
  };
}

function transcription(settings: SessionSettings) {
  const options = settings.transcription || {};
  return {
    model: options.model ?? 'gpt-4o-mini-transcribe',
    ...(options.language !== undefined ? { language: options.language } : {}),
    ...(options.prompt !== undefined ? { prompt: options.prompt } : {}),
  };
}

function turnDetection(
  detection: OpenAIRealtimeTurnDetection | null,
): RealtimeAudioInputTurnDetection | null {
  if (detection === null) return null;
  const hands = { create_response: false, interrupt_response: false };
  if (detection.type === 'semantic_vad') {
    return {
      type: 'semantic_vad',
      ...hands,
      ...(detection.eagerness !== undefined ? { eagerness: detection.eagerness } : {}),
    };
  }
  return {
    type: 'server_vad',
    ...hands,
    ...(detection.threshold !== undefined ? { threshold: detection.threshold } : {}),
    ...(detection.silenceDurationMs !== undefined
      ? { silence_duration_ms: detection.silenceDurationMs }
      : {}),
    ...(detection.prefixPaddingMs !== undefined
      ? { prefix_padding_ms: detection.prefixPaddingMs }
      : {}),
  };
}

function toTool(tool: LLMToolSpec): RealtimeFunctionTool {
  return {
    type: 'function',
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
  };
}

function toToolChoice(choice: ToolChoice): RealtimeToolChoiceConfig {
  return typeof choice === 'string' ? choice : { type: 'function', name: choice.name };
}

/** An item of voxagent's history as the server should hold it, under the id `id`. */
export function toConversationItem(item: RealtimeItem, id: string): ConversationItem {
  switch (item.type) {
    case 'function_call':
      return {
        type: 'function_call',
        id,
        call_id: item.callId,
        name: item.name,
        arguments: item.arguments,
      };
    case 'function_call_output':
      return { type: 'function_call_output', id, call_id: item.callId, output: item.output };
    case 'message':
      if (item.role === 'assistant') {
        return {
          type: 'message',
          id,
          role: 'assistant',
          content: [{ type: 'output_text', text: item.text }],
        };
      }
      return {
        type: 'message',
        id,
        role: item.role,
        content: [{ type: 'input_text', text: item.text }],
      };
  }
}

/** Whether an item has anything to send (an empty message, e.g. unheard speech, has not). */
export function hasContent(item: RealtimeItem): boolean {
  return item.type !== 'message' || item.text.trim().length > 0;
}

// Codes that retrying cannot fix.
const FATAL_CODES = new Set([
  'invalid_api_key',
  'insufficient_quota',
  'account_deactivated',
  'billing_hard_limit_reached',
  'model_not_found',
]);

/** A server `error` event (or a failed response's error) as a ProviderError. */
export function serverError(
  error: Pick<RealtimeError, 'message' | 'type'> & { code?: string | null | undefined },
  scope: ErrorScope,
): ProviderError {
  const code = error.code ?? undefined;
  const message = redact(error.message || error.type || 'unknown error', scope.secrets);
  const label = code ? `${error.type}/${code}` : error.type;
  const what = `server error (${label}): ${oneLine(message)}`;
  if (code === 'rate_limit_exceeded') {
    return new ProviderError(scope.provider, what, {
      retryable: true,
      hint: 'rate limited: wait and retry, or raise your quota',
    });
  }
  if (code === 'insufficient_quota') {
    return new ProviderError(scope.provider, what, {
      retryable: false,
      hint: 'the account is out of quota: check billing',
    });
  }
  if ((code && FATAL_CODES.has(code)) || error.type === 'authentication_error') {
    return new ProviderError(scope.provider, what, {
      retryable: false,
      hint: `check ${scope.keyVar} and the model name`,
    });
  }
  if (error.type === 'server_error' || error.type === 'internal_error') {
    return new ProviderError(scope.provider, what, {
      retryable: true,
      hint: 'the provider failed: retry in a moment',
    });
  }
  return new ProviderError(scope.provider, what, {
    retryable: false,
    hint: 'the server rejected a request: check the model, voice and tool schemas',
  });
}

// Close codes that mean the server will never accept this session as configured.
const FATAL_CLOSE_CODES = new Set([1002, 1003, 1007, 1008, 1009, 1010]);

/** The socket closed without us asking: a ProviderError whose status is the close code. */
export function closedError(scope: ErrorScope, code: number, reason: string): ProviderError {
  const said = reason ? `: ${oneLine(redact(reason, scope.secrets))}` : '';
  const fatal = FATAL_CLOSE_CODES.has(code);
  return new ProviderError(scope.provider, `connection closed (code ${code}${said})`, {
    status: code,
    retryable: !fatal,
    hint: fatal
      ? 'the server refused the session: check the model name and options'
      : 'the connection dropped: the next turn reconnects',
  });
}

/** The errors a race produces; they change nothing and are not worth reporting. */
export type RaceKind = 'nothing_to_cancel' | 'already_responding' | 'truncated_past_end';

export function raceKind(error: Pick<RealtimeError, 'message'> & { code?: string | null }) {
  const code = error.code ?? '';
  if (code === 'response_cancel_not_active') return 'nothing_to_cancel';
  if (code === 'conversation_already_has_active_response') return 'already_responding';
  // The server names no code for this one (and may not echo the event id): it says
  // "Audio content of 9800ms is already shorter than 11579ms", then truncates anyway.
  if (/already shorter than/i.test(error.message)) return 'truncated_past_end';
  return undefined;
}

function oneLine(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
