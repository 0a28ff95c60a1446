import { type Clock, sleepWith } from './clock.js';

/** Wall-clock time from `performance.now()`, timers from the host's `setTimeout`. */
export class RealClock implements Clock {
  readonly virtual = false;
  readonly #origin = performance.now();

  now(): number {
    return performance.now() - this.#origin;
  }

  timer(ms: number, fn: () => void): () => void {
    const handle = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(handle);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }
}
