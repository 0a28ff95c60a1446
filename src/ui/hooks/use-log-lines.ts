import type { FrameBatcher } from '../scheduler.js';
import { initialLogs, type LogsState, logsReducer } from '../state/logs.js';
import type { LogLine, LogSource } from '../types.js';
import { useBatchedStream } from './use-batched-stream.js';

const subscribe = (logs: LogSource, push: (line: LogLine) => void) => logs.onLine(push);

/** The newest log lines, batched per frame like session events. */
export function useLogLines(logs: LogSource | undefined, frame: FrameBatcher): LogsState {
  return useBatchedStream(logs, subscribe, frame, logsReducer, initialLogs);
}
