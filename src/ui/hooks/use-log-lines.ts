import { useEffect, useReducer } from 'react';
import type { FrameBatcher } from '../scheduler.js';
import { initialLogs, type LogsState, logsReducer } from '../state/logs.js';
import type { LogLine, LogSource } from '../types.js';

/** The newest log lines, batched per frame like session events. */
export function useLogLines(logs: LogSource | undefined, frame: FrameBatcher): LogsState {
  const [state, dispatch] = useReducer(logsReducer, initialLogs);
  useEffect(() => {
    if (!logs) return;
    let buffer: LogLine[] = [];
    let live = true;
    const flush = () => {
      if (!live || buffer.length === 0) return;
      const batch = buffer;
      buffer = [];
      dispatch(batch);
    };
    const sub = logs.onLine((line) => {
      buffer.push(line);
      frame.request(flush);
    });
    return () => {
      live = false;
      sub.dispose();
    };
  }, [logs, frame]);
  return state;
}
