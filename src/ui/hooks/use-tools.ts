import type { FrameBatcher } from '../scheduler.js';
import { initialTools, type ToolsState, toolsReducer } from '../state/tools.js';
import type { SessionEventSource } from '../types.js';
import { useSessionEvents } from './use-session-events.js';

export function useTools(events: SessionEventSource, frame: FrameBatcher): ToolsState {
  return useSessionEvents(events, frame, toolsReducer, initialTools);
}
