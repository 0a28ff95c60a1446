import type { FrameBatcher } from '../scheduler.js';
import { type AlertsState, alertsReducer, initialAlerts } from '../state/alerts.js';
import type { SessionEventSource } from '../types.js';
import { useSessionEvents } from './use-session-events.js';

export function useAlerts(events: SessionEventSource, frame: FrameBatcher): AlertsState {
  return useSessionEvents(events, frame, alertsReducer, initialAlerts);
}
