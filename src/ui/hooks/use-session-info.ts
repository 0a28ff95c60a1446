import type { FrameBatcher } from '../scheduler.js';
import { initialSessionInfo, type SessionInfoState, sessionInfoReducer } from '../state/session.js';
import type { SessionEventSource } from '../types.js';
import { useSessionEvents } from './use-session-events.js';

export function useSessionInfo(events: SessionEventSource, frame: FrameBatcher): SessionInfoState {
  return useSessionEvents(events, frame, sessionInfoReducer, initialSessionInfo);
}
