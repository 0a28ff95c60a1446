/** The log panel's ring of recent lines. */
import type { LogLine } from '../types.js';
import { clip } from './bounded.js';

export const MAX_LOG_LINES = 500;

export interface LogsState {
  lines: readonly LogLine[];
  /** Lines dropped off the ring since the start, so the panel can say so. */
  dropped: number;
}

export const initialLogs: LogsState = { lines: [], dropped: 0 };

export function logsReducer(state: LogsState, added: readonly LogLine[]): LogsState {
  if (added.length === 0) return state;
  const all = [...state.lines, ...added.map((l) => ({ ...l, text: clip(l.text, 1000) }))];
  const over = Math.max(0, all.length - MAX_LOG_LINES);
  return { lines: over ? all.slice(over) : all, dropped: state.dropped + over };
}
