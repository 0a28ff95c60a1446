import type { LLMMessage, LLMToolCall } from '../models/llm.js';
import type { RealtimeItem } from '../models/realtime.js';

/** One item of the conversation, as kept in `session.history`. */
export type ChatItem =
  | {
      readonly id: string;
      readonly type: 'message';
      readonly role: 'user' | 'assistant' | 'system';
      readonly text: string;
      readonly interrupted: boolean;
      readonly createdAt: number;
      /** The realtime model's id for it, when the model made it (its audio, its reply). */
      readonly realtimeId?: string;
    }
  | {
      readonly id: string;
      readonly type: 'function_call';
      readonly callId: string;
      readonly name: string;
      readonly arguments: string;
      readonly createdAt: number;
      readonly realtimeId?: string;
    }
  | {
      readonly id: string;
      readonly type: 'function_call_output';
      readonly callId: string;
      readonly name: string;
      readonly output: string;
      readonly isError: boolean;
      readonly interrupted: boolean;
      readonly createdAt: number;
    }
  | {
      readonly id: string;
      readonly type: 'agent_handoff';
      readonly fromAgent: string | null;
      readonly toAgent: string;
      readonly createdAt: number;
    };

/**
 * The model's view of the history: messages in order, each tool call told where its output
 * arrived, immediately followed by that output (a chat API wants every call answered right
 * after it; when the conversation went on while a tool ran — a task's questions, say — the
 * model reads the result where it came). Outputs that arrive together share one call
 * message. Calls still running are left out.
 */
export function toLLMMessages(instructions: string, items: readonly ChatItem[]): LLMMessage[] {
  const fold = new LLMMessageFold();
  for (const item of items) fold.add(item);
  return fold.messages(instructions);
}

/**
 * `toLLMMessages` one item at a time, so a view of a growing history costs only its new
 * items (a long session asks its model thousands of times).
 */
export class LLMMessageFold {
  readonly #done: LLMMessage[] = [];
  /** Each call by id, with the index of the item that made it. */
  readonly #calls = new Map<string, { call: LLMToolCall; at: number }>();
  /** Outputs seen since the last message: they close with their calls at the next one. */
  #answered: { call: LLMToolCall; output: string }[] = [];
  /** Where the fold stood before each item: what `rewind` goes back to. */
  readonly #marks: { done: number; answered: { call: LLMToolCall; output: string }[] }[] = [];

  /** Items folded so far. */
  get count(): number {
    return this.#marks.length;
  }

  /** Forgets items from index `at` on (an item was inserted or changed there). */
  rewind(at: number): void {
    const mark = this.#marks[at];
    if (!mark) return;
    this.#done.length = mark.done;
    this.#answered = mark.answered;
    this.#marks.length = at;
    for (const [id, c] of this.#calls) if (c.at >= at) this.#calls.delete(id);
  }

  add(item: ChatItem): void {
    const index = this.#marks.length;
    this.#marks.push({ done: this.#done.length, answered: this.#answered });
    if (item.type === 'function_call') {
      const call = { id: item.callId, name: item.name, arguments: item.arguments };
      this.#calls.set(item.callId, { call, at: index });
      return;
    }
    if (item.type === 'function_call_output') {
      const call = this.#calls.get(item.callId)?.call;
      // A new array: the mark of the previous item keeps the old one.
      if (call) this.#answered = [...this.#answered, { call, output: item.output }];
      return;
    }
    pushAnswered(this.#done, this.#answered);
    this.#answered = [];
    if (item.type === 'message' && item.text.length > 0) {
      this.#done.push({ role: item.role, content: item.text } as LLMMessage);
    }
  }

  /** The messages so far (a new array), after the instructions if there are any. */
  messages(instructions: string): LLMMessage[] {
    const out: LLMMessage[] = instructions ? [{ role: 'system', content: instructions }] : [];
    for (const m of this.#done) out.push(m);
    pushAnswered(out, this.#answered);
    return out;
  }
}

function pushAnswered(
  out: LLMMessage[],
  answered: readonly { call: LLMToolCall; output: string }[],
) {
  if (answered.length === 0) return;
  out.push({ role: 'assistant', content: '', toolCalls: answered.map((a) => a.call) });
  for (const a of answered) out.push({ role: 'tool', toolCallId: a.call.id, content: a.output });
}

/** The history as a realtime model keeps its conversation (see models/realtime.ts). */
export function toRealtimeItems(items: readonly ChatItem[]): RealtimeItem[] {
  const out: RealtimeItem[] = [];
  const calls = new Set<string>();
  for (const item of items) {
    if (item.type === 'function_call') calls.add(item.callId);
  }
  for (const item of items) {
    const realtime =
      item.type !== 'agent_handoff' && 'realtimeId' in item && item.realtimeId
        ? { realtimeId: item.realtimeId }
        : {};
    if (item.type === 'message') {
      // An empty message is skipped unless the model made it (user audio not transcribed yet).
      if (!item.text && !item.realtimeId) continue;
      out.push({ type: 'message', id: item.id, role: item.role, text: item.text, ...realtime });
    } else if (item.type === 'function_call') {
      out.push({
        type: 'function_call',
        id: item.id,
        callId: item.callId,
        name: item.name,
        arguments: item.arguments,
        ...realtime,
      });
    } else if (item.type === 'function_call_output' && calls.has(item.callId)) {
      out.push({
        type: 'function_call_output',
        id: item.id,
        callId: item.callId,
        output: item.output,
      });
    }
  }
  return out;
}
