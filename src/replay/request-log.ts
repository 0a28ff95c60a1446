import type { Clock } from '../runtime/clock/clock.js';
import type { LLM, LLMRequest } from '../runtime/models/llm.js';

/**
 * Every request the session made to its chat model, in order, as `expect.requests` checks
 * them: who asked, which tools were offered, the tool choice, and what the request ends
 * with. Compact on purpose (no message lists): a long replay keeps one small record a turn.
 */
export interface RequestRecord {
  /** Position in the run, from 1. */
  n: number;
  /** Session time the request was made. */
  t: number;
  agent: string | null;
  /** Names of the tools offered, in the order offered. */
  tools: string[];
  /** `auto`, `required`, `none`, or the name of the one tool the model must call. */
  toolChoice: string;
  /** The last message, when it is the user's. */
  input: string | null;
  /** The last message, when it is a tool result. */
  toolResult: string | null;
  /** The system message (the agent's instructions and any extra for this reply). */
  instructions: string | null;
  /** Made before the user's turn ended (preemptive generation). */
  speculative: boolean;
}

function recordOf(request: LLMRequest, n: number, t: number): RequestRecord {
  const last = request.messages.at(-1);
  const choice = request.toolChoice ?? 'auto';
  return {
    n,
    t,
    agent: request.agent ?? null,
    tools: request.tools.map((tool) => tool.name),
    toolChoice: typeof choice === 'string' ? choice : choice.name,
    input: last?.role === 'user' ? last.content : null,
    toolResult: last?.role === 'tool' ? last.content : null,
    instructions: request.messages.find((m) => m.role === 'system')?.content ?? null,
    speculative: request.speculative !== undefined,
  };
}

export class RequestLog {
  readonly records: RequestRecord[] = [];
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** The same model, with each request noted before it is sent. */
  wrap(llm: LLM): LLM {
    return {
      label: llm.label,
      chat: (request, ctx) => {
        this.records.push(recordOf(request, this.records.length + 1, this.#clock.now()));
        return llm.chat(request, ctx);
      },
    };
  }
}
