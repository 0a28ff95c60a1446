/**
 * Subscribes to the session at once, before the screen mounts: `session.started` and the
 * first `agent.changed` may fire before the panels' effects run, and the header would
 * otherwise never learn the agent. Until `release()`, each new listener gets the backlog.
 *
 * When a new session replaces the old one (hot reload, mode switch), `newSession()` starts
 * over: the old panels' listeners get nothing more, the backlog holds the new session's
 * events only, and the new panels get it when they subscribe.
 */
import type { SessionEvent } from '../runtime/events/types.js';
import type { SessionEventSource } from './types.js';

/** Backlog bound: a screen that never mounts must not hold a session's events. */
const MAX_BACKLOG = 2000;

export interface SessionTap {
  source: SessionEventSource;
  release(): void;
  /** The events from now on belong to a new session: drop the old listeners and backlog. */
  newSession(): void;
  dispose(): void;
  /**
   * Session time estimated from the last event and the host clock since it arrived; for
   * callers that pass no clock (a virtual clock must be passed, it does not follow this).
   */
  now(): number;
}

export function createSessionTap(events: SessionEventSource): SessionTap {
  let backlog: SessionEvent[] | null = [];
  let listeners = new Set<(e: SessionEvent) => void>();
  let last: { t: number; at: number } | null = null;
  const upstream = events.onAny((e) => {
    last = { t: e.t, at: performance.now() };
    if (backlog) {
      backlog.push(e);
      if (backlog.length > MAX_BACKLOG) backlog.shift();
    }
    for (const fn of listeners) fn(e);
  });
  return {
    source: {
      onAny(fn) {
        for (const e of backlog ?? []) fn(e);
        const mine = listeners;
        mine.add(fn);
        return { dispose: () => mine.delete(fn) };
      },
    },
    release() {
      backlog = null;
    },
    newSession() {
      listeners = new Set();
      backlog = [];
      last = null;
    },
    dispose() {
      backlog = null;
      listeners.clear();
      upstream.dispose();
    },
    now() {
      return last ? last.t + (performance.now() - last.at) : 0;
    },
  };
}
