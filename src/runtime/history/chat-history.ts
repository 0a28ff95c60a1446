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
  const messages: LLMMessage[] = [];
  if (instructions) messages.push({ role: 'system', content: instructions });
  const calls = new Map<string, LLMToolCall>();
  let answered: { call: LLMToolCall; output: string }[] = [];
  const flush = () => {
    if (answered.length === 0) return;
    messages.push({ role: 'assistant', content: '', toolCalls: answered.map((a) => a.call) });
    for (const a of answered) {
      messages.push({ role: 'tool', toolCallId: a.call.id, content: a.output });
    }
    answered = [];
  };
  for (const item of items) {
    if (item.type === 'function_call') {
      calls.set(item.callId, { id: item.callId, name: item.name, arguments: item.arguments });
      continue;
    }
    if (item.type === 'function_call_output') {
      const call = calls.get(item.callId);
      if (call) answered.push({ call, output: item.output });
      continue;
    }
    flush();
    if (item.type === 'message' && item.text.length > 0) {
      messages.push({ role: item.role, content: item.text } as LLMMessage);
    }
  }
  flush();
  return messages;
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
