import type { LLMToolCall } from '../../src/runtime/models/llm.js';

/** One `tool_calls` entry of a streamed delta, as the Chat Completions API sends it. */
export interface ToolCallDelta {
  readonly index: number;
  readonly id?: string | undefined;
  readonly function?: {
    readonly name?: string | undefined;
    readonly arguments?: string | undefined;
  };
}

interface PartialCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Merges streamed tool-call deltas by `index`. A call is complete once a later index starts
 * (the API streams calls one after another) or the stream ends; only then is it released,
 * so the runtime never sees half an argument string.
 */
export class ToolCallAssembler {
  readonly #open = new Map<number, PartialCall>();

  /** Merges `deltas`; returns the calls they completed, in index order. */
  push(deltas: readonly ToolCallDelta[]): LLMToolCall[] {
    const completed: LLMToolCall[] = [];
    for (const delta of deltas) {
      if (!this.#open.has(delta.index)) {
        completed.push(...this.#releaseBelow(delta.index));
        this.#open.set(delta.index, { id: '', name: '', arguments: '' });
      }
      const call = this.#open.get(delta.index)!;
      if (delta.id && !call.id) call.id = delta.id;
      const fn = delta.function;
      // Some compatible servers repeat the name on every delta: keep the first.
      if (fn?.name && !call.name) call.name = fn.name;
      if (fn?.arguments) call.arguments += fn.arguments;
    }
    return completed;
  }

  /** Every call still open, in index order (the stream is over). */
  finish(): LLMToolCall[] {
    return this.#releaseBelow(Number.POSITIVE_INFINITY);
  }

  #releaseBelow(index: number): LLMToolCall[] {
    const ready = [...this.#open.keys()].filter((i) => i < index).sort((a, b) => a - b);
    return ready.map((i) => {
      const call = this.#open.get(i)!;
      this.#open.delete(i);
      return { id: call.id || `call_${i}`, name: call.name, arguments: call.arguments || '{}' };
    });
  }
}
