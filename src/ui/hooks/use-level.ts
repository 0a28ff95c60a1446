import { useEffect, useState } from 'react';
import type { Scheduler } from '../types.js';

/** Steps of the meter: a change smaller than one step does not cost a render. */
const STEPS = 40;

/** Polls a level (linear RMS, 0..1: the microphone, the agent's voice); null when there is no meter. */
export function useLevel(
  getLevel: (() => number) | undefined,
  scheduler: Scheduler,
  intervalMs: number,
): number | null {
  const [level, setLevel] = useState<number | null>(() => (getLevel ? quantize(getLevel()) : null));
  useEffect(() => {
    if (!getLevel) {
      setLevel(null);
      return;
    }
    return scheduler.every(intervalMs, () => setLevel(quantize(getLevel())));
  }, [getLevel, scheduler, intervalMs]);
  return level;
}

function quantize(level: number): number {
  const clamped = Number.isFinite(level) ? Math.min(1, Math.max(0, level)) : 0;
  return Math.round(clamped * STEPS) / STEPS;
}
