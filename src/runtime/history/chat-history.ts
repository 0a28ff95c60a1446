import type { LLMMessage, LLMToolCall } from '../models/llm.js';

/** One item of the conversation, as kept in `session.history`. */
export type ChatItem =
  | {
      readonly id: string;
      readonly type: 'message';
      readonly role: 'user' | 'assistant' | 'system';
      readonly text: string;
      readonly interrupted: boolean;
      readonly createdAt: number;
    }
  | {
      readonly id: string;
      readonly type: 'function_call';
      readonly callId: string;
      readonly name: string;
      readonly arguments: string;
      readonly createdAt: number;
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
 * The model's view of the history: messages in order, each tool call paired with its
 * output (calls still running are left out, since a chat API wants every call answered).
 */
export function toLLMMessages(instructions: string, items: readonly ChatItem[]): LLMMessage[] {
  const messages: LLMMessage[] = [];
  if (instructions) messages.push({ role: 'system', content: instructions });
  const answered = new Set(
    items.flatMap((i) => (i.type === 'function_call_output' ? [i.callId] : [])),
  );
  let pendingCalls: LLMToolCall[] = [];
  const flushCalls = () => {
    if (pendingCalls.length === 0) return;
    messages.push({ role: 'assistant', content: '', toolCalls: pendingCalls });
    pendingCalls = [];
  };
  for (const item of items) {
    if (item.type === 'function_call') {
      if (answered.has(item.callId)) {
        pendingCalls.push({ id: item.callId, name: item.name, arguments: item.arguments });
      }
      continue;
    }
    flushCalls();
    if (item.type === 'message') {
      if (item.text.length === 0) continue;
      messages.push({ role: item.role, content: item.text } as LLMMessage);
    } else if (item.type === 'function_call_output') {
      messages.push({ role: 'tool', toolCallId: item.callId, content: item.output });
    }
  }
  flushCalls();
  return messages;
}
