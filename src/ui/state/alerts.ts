/**
 * Warnings and errors, newest last and bounded; a repeat of the same problem bumps a count
 * instead of flooding the list. A deadlock is kept apart: it is pinned above everything.
 */
import type { SessionEvent } from '../../runtime/events/types.js';
import { clip, pushBounded } from './bounded.js';

export const MAX_ALERTS = 20;

export interface Alert {
  level: 'warning' | 'error';
  code: string;
  message: string;
  /** Component that failed (errors). */
  source: string | null;
  recoverable: boolean;
  speechId: string | null;
  status: number | null;
  firstAt: number;
  lastAt: number;
  count: number;
}

export interface Deadlock {
  t: number;
  cycle: readonly string[];
  description: string;
  openWaits: readonly string[];
}

export interface AlertsState {
  deadlock: Deadlock | null;
  items: readonly Alert[];
}

export const initialAlerts: AlertsState = { deadlock: null, items: [] };

function add(state: AlertsState, alert: Alert): AlertsState {
  const i = state.items.findIndex(
    (a) => a.level === alert.level && a.code === alert.code && a.message === alert.message,
  );
  if (i < 0) return { ...state, items: pushBounded(state.items, alert, MAX_ALERTS) };
  const prev = state.items[i] as Alert;
  const merged = { ...alert, firstAt: prev.firstAt, count: prev.count + 1 };
  return { ...state, items: [...state.items.slice(0, i), ...state.items.slice(i + 1), merged] };
}

export function alertsReducer(state: AlertsState, e: SessionEvent): AlertsState {
  switch (e.type) {
    case 'warning':
      return add(state, {
        level: 'warning',
        code: e.code,
        message: clip(e.message, 500),
        source: null,
        recoverable: true,
        speechId: e.speechId ?? null,
        status: null,
        firstAt: e.t,
        lastAt: e.t,
        count: 1,
      });
    case 'error':
      return add(state, {
        level: 'error',
        code: e.code,
        message: clip(e.message, 500),
        source: e.source,
        recoverable: e.recoverable,
        speechId: e.speechId ?? null,
        status: e.status ?? null,
        firstAt: e.t,
        lastAt: e.t,
        count: 1,
      });
    case 'deadlock':
      return {
        ...state,
        deadlock: {
          t: e.t,
          cycle: e.cycle.slice(0, 50),
          description: clip(e.description, 1000),
          openWaits: e.openWaits.slice(0, 50),
        },
      };
    default:
      return state;
  }
}
