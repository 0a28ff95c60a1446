/** Tool calls: running ones, and the last few finished with their outcome. */
import type { SessionEvent } from '../../runtime/events/types.js';
import { clip, pruneOldest, updateWhere } from './bounded.js';

export const MAX_FINISHED_TOOLS = 20;
const MAX_TEXT = 1000;

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
  speechId: string;
  agentId: string;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  output: string | null;
  isError: boolean;
  /** The full error of an unexpected exception (the model only sees `output`). */
  error: string | null;
  interrupted: boolean;
}

export interface ToolsState {
  calls: readonly ToolCall[];
}

export const initialTools: ToolsState = { calls: [] };

export function toolsReducer(state: ToolsState, e: SessionEvent): ToolsState {
  if (e.type === 'tool.started') {
    const call: ToolCall = {
      id: e.toolCallId,
      name: e.name,
      arguments: clip(e.arguments, MAX_TEXT),
      speechId: e.speechId,
      agentId: e.agentId,
      startedAt: e.t,
      finishedAt: null,
      durationMs: null,
      output: null,
      isError: false,
      error: null,
      interrupted: false,
    };
    return { calls: [...state.calls.filter((c) => c.id !== call.id), call] };
  }
  if (e.type === 'tool.finished') {
    let calls = state.calls;
    if (!calls.some((c) => c.id === e.toolCallId)) {
      calls = [
        ...calls,
        {
          id: e.toolCallId,
          name: e.name,
          arguments: '',
          speechId: e.speechId,
          agentId: '?',
          startedAt: e.t - e.durationMs,
          finishedAt: null,
          durationMs: null,
          output: null,
          isError: false,
          error: null,
          interrupted: false,
        },
      ];
    }
    calls = updateWhere(
      calls,
      (c) => c.id === e.toolCallId,
      (c) => ({
        ...c,
        finishedAt: e.t,
        durationMs: e.durationMs,
        output: clip(e.output, MAX_TEXT),
        isError: e.isError,
        error: e.error === null ? null : clip(e.error, MAX_TEXT),
        interrupted: e.interrupted,
      }),
    );
    return { calls: pruneOldest(calls, (c) => c.finishedAt !== null, MAX_FINISHED_TOOLS) };
  }
  return state;
}
