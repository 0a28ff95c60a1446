import type OpenAI from 'openai';
import type { ModelCallContext } from '../../src/runtime/models/context.js';
import { ProviderError } from '../../src/runtime/models/context.js';
import type {
  LLM,
  LLMChunk,
  LLMMessage,
  LLMRequest,
  LLMToolSpec,
  ToolChoice,
} from '../../src/runtime/models/llm.js';
import { childController } from '../shared/abort.js';
import { type ErrorScope, protocolError, timeoutError } from '../shared/errors.js';
import { connectOpenAI, type OpenAIConnectionOptions, openAIError } from './config.js';
import { ToolCallAssembler } from './tool-calls.js';

type MessageParam = OpenAI.Chat.ChatCompletionMessageParam;
type StreamingParams = OpenAI.Chat.ChatCompletionCreateParamsStreaming;

export interface OpenAILLMOptions extends OpenAIConnectionOptions {
  /** Default `gpt-4o-mini`. */
  readonly model?: string;
  readonly temperature?: number;
  readonly maxCompletionTokens?: number;
  /** Let the model ask for several tools in one step (the API default is true). */
  readonly parallelToolCalls?: boolean;
  /** Give up when no text or tool call has arrived this long after the request (10 000). */
  readonly firstTokenTimeoutMs?: number;
}

/**
 * Chat Completions with streaming. Yields text deltas as they come, each tool call once its
 * arguments are complete, and a usage chunk at the end. Failures are ProviderErrors; an
 * abort of `ctx.signal` cancels the HTTP request and rethrows the signal's reason.
 */
export class OpenAILLM implements LLM {
  readonly label: string;
  readonly #client: OpenAI;
  readonly #scope: ErrorScope;
  readonly #model: string;
  readonly #options: OpenAILLMOptions;
  readonly #firstTokenTimeoutMs: number;

  constructor(options: OpenAILLMOptions = {}) {
    const { client, scope } = connectOpenAI(options, 'llm');
    this.#client = client;
    this.#scope = scope;
    this.#model = options.model ?? 'gpt-4o-mini';
    this.#options = options;
    this.#firstTokenTimeoutMs = options.firstTokenTimeoutMs ?? 10_000;
    this.label = `openai/${this.#model}`;
  }

  async *chat(request: LLMRequest, ctx: ModelCallContext): AsyncGenerator<LLMChunk> {
    const { controller, dispose } = childController(ctx.signal);
    let timedOut = false;
    const cancelTimer = ctx.clock.timer(this.#firstTokenTimeoutMs, () => {
      timedOut = true;
      controller.abort(new Error('first token timeout'));
    });
    const calls = new ToolCallAssembler();
    let finished = false;
    // The SDK ends a stream quietly when its signal aborts: the flags say why it ended.
    const failure = (err?: unknown): unknown => {
      if (timedOut) {
        return timeoutError(
          this.#scope,
          `no token within ${this.#firstTokenTimeoutMs} ms`,
          'the model is overloaded or stuck: retry, or raise firstTokenTimeoutMs',
        );
      }
      if (ctx.signal.aborted) return ctx.signal.reason;
      return err === undefined ? undefined : openAIError(err, this.#scope);
    };
    try {
      try {
        const stream = await this.#client.chat.completions.create(this.#body(request), {
          signal: controller.signal,
        });
        for await (const chunk of stream) {
          if (chunk.usage) {
            yield {
              type: 'usage',
              promptTokens: chunk.usage.prompt_tokens,
              completionTokens: chunk.usage.completion_tokens,
            };
          }
          const choice = chunk.choices[0];
          if (!choice) continue;
          const delta = choice.delta;
          if (delta?.content) {
            cancelTimer();
            yield { type: 'text', delta: delta.content };
          }
          if (delta?.tool_calls?.length) {
            cancelTimer();
            for (const call of calls.push(delta.tool_calls)) yield this.#toolCall(call);
          }
          if (choice.finish_reason) {
            finished = true;
            for (const call of calls.finish()) yield this.#toolCall(call);
          }
        }
      } catch (err) {
        throw failure(err);
      }
      const stopped = failure();
      if (stopped !== undefined) throw stopped;
      if (!finished) {
        throw new ProviderError(this.#scope.provider, 'the reply stream ended early', {
          retryable: true,
          hint: 'the connection was cut before the reply finished: retry',
        });
      }
    } finally {
      cancelTimer();
      dispose();
      controller.abort();
    }
  }

  #toolCall(call: { id: string; name: string; arguments: string }): LLMChunk {
    if (!call.name) throw protocolError(this.#scope, 'a tool call has no function name');
    return { type: 'tool_call', call };
  }

  #body(request: LLMRequest): StreamingParams {
    const body: StreamingParams = {
      model: this.#model,
      messages: request.messages.map(toMessageParam),
      stream: true,
      stream_options: { include_usage: true },
    };
    if (this.#options.temperature !== undefined) body.temperature = this.#options.temperature;
    if (this.#options.maxCompletionTokens !== undefined) {
      body.max_completion_tokens = this.#options.maxCompletionTokens;
    }
    // The API rejects tool_choice without tools, so both are sent only when there are tools.
    if (request.tools.length > 0) {
      body.tools = request.tools.map(toToolParam);
      if (request.toolChoice !== undefined) body.tool_choice = toToolChoice(request.toolChoice);
      if (this.#options.parallelToolCalls !== undefined) {
        body.parallel_tool_calls = this.#options.parallelToolCalls;
      }
    }
    return body;
  }
}

export function toMessageParam(message: LLMMessage): MessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        // With tool calls the text is optional; null is the API's "none".
        content: message.content.length > 0 ? message.content : null,
        tool_calls: calls.map((call) => ({
          id: call.id,
          type: 'function' as const,
          function: { name: call.name, arguments: call.arguments },
        })),
      };
    }
  }
}

function toToolParam(tool: LLMToolSpec): OpenAI.Chat.ChatCompletionTool {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

function toToolChoice(choice: ToolChoice): OpenAI.Chat.ChatCompletionToolChoiceOption {
  if (typeof choice === 'string') return choice;
  return { type: 'function', function: { name: choice.name } };
}
