/**
 * Host timers for the screen, and the frame batcher that coalesces event bursts: a TTS
 * stream can emit hundreds of events a second, and re-rendering on each would take the
 * event loop away from audio. All panels flush in one callback, so React renders once.
 */
import type { Scheduler } from './types.js';

export const realScheduler: Scheduler = {
  after(ms, fn) {
    const id = setTimeout(fn, ms);
    return () => clearTimeout(id);
  },
  every(ms, fn) {
    const id = setInterval(fn, ms);
    return () => clearInterval(id);
  },
};

export interface FrameBatcher {
  /** Runs `flush` on the next frame; asking again before then does nothing more. */
  request(flush: () => void): void;
  dispose(): void;
}

export function createFrameBatcher(scheduler: Scheduler, fps: number): FrameBatcher {
  const frameMs = Math.max(1, Math.round(1000 / fps));
  const pending = new Set<() => void>();
  let cancel: (() => void) | null = null;
  const run = () => {
    cancel = null;
    const flushes = [...pending];
    pending.clear();
    for (const flush of flushes) flush();
  };
  return {
    request(flush) {
      pending.add(flush);
      cancel ??= scheduler.after(frameMs, run);
    },
    dispose() {
      cancel?.();
      cancel = null;
      pending.clear();
    },
  };
}
