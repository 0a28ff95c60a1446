import { useEffect, useReducer } from 'react';
import type { Scheduler } from '../types.js';

/**
 * The session time to draw with. It is read on every render, so it is never staler than
 * the events drawn; the ticker only re-renders while something moves on its own (a play
 * cursor, a running tool's timer), and stays quiet when the session is idle.
 */
export function useNow(
  now: () => number,
  scheduler: Scheduler,
  intervalMs: number,
  active: boolean,
): number {
  const [, tick] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!active) return;
    return scheduler.every(intervalMs, tick);
  }, [scheduler, intervalMs, active]);
  return now();
}
