/** Whether the session runs, and why it stopped: shown in the header. */
import type { SessionEvent } from '../../runtime/events/types.js';

export type SessionStatus = 'starting' | 'running' | 'closing' | 'closed';

export interface SessionInfoState {
  status: SessionStatus;
  reason: string | null;
  agentName: string | null;
  startedAt: number | null;
}

export const initialSessionInfo: SessionInfoState = {
  status: 'starting',
  reason: null,
  agentName: null,
  startedAt: null,
};

export function sessionInfoReducer(state: SessionInfoState, e: SessionEvent): SessionInfoState {
  switch (e.type) {
    case 'session.started':
      return { ...state, status: 'running', startedAt: e.t, reason: null };
    case 'session.closing':
      return { ...state, status: 'closing', reason: e.reason };
    case 'session.closed':
      return { ...state, status: 'closed', reason: e.reason };
    case 'agent.changed':
      return { ...state, agentName: e.agentName };
    default:
      return state;
  }
}
