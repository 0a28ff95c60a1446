import type { ModelCallContext } from '../runtime/models/context.js';
import { ProviderError } from '../runtime/models/context.js';
import type { LLM, LLMChunk, LLMMessage, LLMRequest } from '../runtime/models/llm.js';

type Matcher = string | RegExp;

/** One scripted reply. It is used once (unless `repeat`), by the first request it matches. */
export interface FakeLLMResponse {
  when?: {
    /** The last message is the user's and contains / matches this. */
    input?: Matcher;
    /** The last message is a tool result that contains / matches this. */
    toolResult?: Matcher;
    /** The request comes from the agent with this name. */
    agent?: string;
    /** The request's instructions (its system message) contain / match this. */
    instructions?: Matcher;
  };
  text?: string;
  toolCalls?: { name: string; arguments?: Record<string, unknown> | string; id?: string }[];
  /** Time to the first chunk. Default 0. */
  ttftMs?: number;
  /** Time from request to the last chunk (text is spread over it). Default = ttftMs. */
  durationMs?: number;
  repeat?: boolean;
  /** Fail (after `ttftMs`) instead of answering. */
  error?: FakeProviderFailure;
}

/** A scripted provider failure, thrown as the ProviderError a real plugin would throw. */
export interface FakeProviderFailure {
  message: string;
  status?: number;
  retryable?: boolean;
  /** What the provider asked to wait before a retry. */
  retryAfterMs?: number;
  /** The failing provider as the `error` event names it (default: the fake's label). */
  provider?: string;
}

export interface FakeLLMOptions {
  responses?: FakeLLMResponse[];
  /** Used when nothing matches; without it an unmatched request fails with a clear error. */
  fallback?: FakeLLMResponse;
  /** Computes a reply when no scripted response matches (rule-based demo models). */
  respond?: (request: LLMRequest) => FakeLLMResponse | undefined;
  label?: string;
  /**
   * Keep every request in `requests` (default true). Long replays turn it off: each request
   * holds the whole conversation, so keeping them all grows with the square of its length.
   */
  keepRequests?: boolean;
}

function matches(matcher: Matcher | undefined, text: string | undefined): boolean {
  if (matcher === undefined) return true;
  if (text === undefined) return false;
  return typeof matcher === 'string' ? text.includes(matcher) : matcher.test(text);
}

/** A scripted chat model on the session clock: replies keyed on the last input. */
export class FakeLLM implements LLM {
  readonly label: string;
  /** Every request received, in order (for assertions). */
  readonly requests: LLMRequest[] = [];
  readonly #responses: { response: FakeLLMResponse; used: boolean }[];
  readonly #fallback: FakeLLMResponse | undefined;
  readonly #respond: FakeLLMOptions['respond'];
  readonly #keepRequests: boolean;
  /** Responses before this index are all used: matching starts here. */
  #firstUnused = 0;
  #callCount = 0;

  constructor(options: FakeLLMOptions = {}) {
    this.label = options.label ?? 'fake-llm';
    this.#responses = (options.responses ?? []).map((response) => ({ response, used: false }));
    this.#fallback = options.fallback;
    this.#respond = options.respond;
    this.#keepRequests = options.keepRequests ?? true;
  }

  add(response: FakeLLMResponse): void {
    this.#responses.push({ response, used: false });
  }

  async *chat(request: LLMRequest, ctx: ModelCallContext): AsyncIterable<LLMChunk> {
    if (this.#keepRequests) this.requests.push(request);
    const last = request.messages[request.messages.length - 1];
    const entry = this.#pick(request, last);
    const response = entry.response;
    // A speculative request that is thrown away never got its answer: it stays available.
    void request.speculative?.outcome.then((outcome) => {
      if (outcome === 'discarded' && entry.taken) entry.taken.used = false;
    });
    const ttft = response.ttftMs ?? 0;
    await ctx.clock.sleep(ttft, ctx.signal);
    if (response.error) throw fakeProviderError(response.error, this.label);
    const words = response.text ? (response.text.match(/\S+\s*/g) ?? []) : [];
    const spread = Math.max(0, (response.durationMs ?? ttft) - ttft);
    const gap = words.length > 1 ? spread / (words.length - 1) : 0;
    for (let i = 0; i < words.length; i++) {
      if (i > 0 && gap > 0) await ctx.clock.sleep(gap, ctx.signal);
      yield { type: 'text', delta: words[i]! };
    }
    if (words.length <= 1 && spread > 0) await ctx.clock.sleep(spread, ctx.signal);
    for (const call of response.toolCalls ?? []) {
      const args =
        typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {});
      yield {
        type: 'tool_call',
        call: { id: call.id ?? `call_${++this.#callCount}`, name: call.name, arguments: args },
      };
    }
    yield {
      type: 'usage',
      promptTokens: request.messages.length * 10,
      completionTokens: words.length,
    };
  }

  #pick(
    request: LLMRequest,
    last: LLMMessage | undefined,
  ): { response: FakeLLMResponse; taken?: { used: boolean } } {
    const input = last?.role === 'user' ? last.content : undefined;
    const toolResult = last?.role === 'tool' ? last.content : undefined;
    while (this.#responses[this.#firstUnused]?.used) this.#firstUnused++;
    for (let i = this.#firstUnused; i < this.#responses.length; i++) {
      const entry = this.#responses[i]!;
      if (entry.used) continue;
      const when = entry.response.when ?? {};
      if (when.input !== undefined && !matches(when.input, input)) continue;
      if (when.toolResult !== undefined && !matches(when.toolResult, toolResult)) continue;
      if (when.agent !== undefined && when.agent !== request.agent) continue;
      if (when.instructions !== undefined && !matches(when.instructions, systemText(request))) {
        continue;
      }
      if (entry.response.repeat) return { response: entry.response };
      entry.used = true;
      return { response: entry.response, taken: entry };
    }
    const computed = this.#respond?.(request);
    if (computed) return { response: computed };
    if (this.#fallback) return { response: this.#fallback };
    const what =
      input !== undefined
        ? `user input "${input}"`
        : toolResult !== undefined
          ? `tool result "${toolResult}"`
          : 'this request';
    return {
      response: {
        error: { message: `no scripted reply for ${what} (agent ${request.agent ?? '?'})` },
      },
    };
  }
}

/** The request's instructions: its system message, if it has one. */
function systemText(request: LLMRequest): string | undefined {
  const system = request.messages.find((m) => m.role === 'system');
  return system?.content;
}

/** The ProviderError a scripted failure stands for. */
export function fakeProviderError(failure: FakeProviderFailure, label: string): ProviderError {
  return new ProviderError(failure.provider ?? label, failure.message, {
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
    retryable: failure.retryable ?? false,
  });
}
