import type { FrameBatcher } from '../scheduler.js';
import { initialMetrics, type MetricsState, metricsReducer } from '../state/metrics.js';
import type { SessionEventSource } from '../types.js';
import { useSessionEvents } from './use-session-events.js';

export function useMetrics(events: SessionEventSource, frame: FrameBatcher): MetricsState {
  return useSessionEvents(events, frame, metricsReducer, initialMetrics);
}
