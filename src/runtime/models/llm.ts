import type { ModelCallContext } from './context.js';

/** One message of the conversation as sent to a chat model. */
export type LLMMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string }
  | {
      readonly role: 'assistant';
      readonly content: string;
      readonly toolCalls?: readonly LLMToolCall[];
    }
  | { readonly role: 'tool'; readonly toolCallId: string; readonly content: string };

export interface LLMToolCall {
  readonly id: string;
  readonly name: string;
  /** JSON text of the arguments, as the model produced it. */
  readonly arguments: string;
  /** A realtime model's id for the call's item (its conversation holds it). */
  readonly realtimeId?: string;
}

/** A tool as offered to the model: name, description and JSON schema of its parameters. */
export interface LLMToolSpec {
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
}

export type ToolChoice = 'auto' | 'required' | 'none' | { readonly name: string };

export interface LLMRequest {
  readonly messages: readonly LLMMessage[];
  readonly tools: readonly LLMToolSpec[];
  readonly toolChoice?: ToolChoice;
  /** Name of the agent asking (metadata for fakes and logs; providers ignore it). */
  readonly agent?: string;
  /**
   * Asked before the user's turn ended (preemptive generation). `outcome` settles when the
   * runtime knows whether the reply was used; a discarded one's signal aborts. Providers
   * send it like any other request (scripted fakes give a discarded answer back).
   */
  readonly speculative?: { readonly outcome: Promise<'used' | 'discarded'> };
}

/** What a chat stream yields. A tool call is yielded once, complete, when its arguments are. */
export type LLMChunk =
  | { readonly type: 'text'; readonly delta: string }
  | { readonly type: 'tool_call'; readonly call: LLMToolCall }
  | {
      readonly type: 'usage';
      readonly promptTokens: number;
      readonly completionTokens: number;
    };

export interface LLM {
  /** Shown in the UI header and in metrics, e.g. "openai/gpt-4o-mini". */
  readonly label: string;
  chat(request: LLMRequest, ctx: ModelCallContext): AsyncIterable<LLMChunk>;
}
