import { VirtualClock } from '../runtime/clock/virtual-clock.js';

/**
 * The virtual clock of a replay, with a bound on virtual time. The bound is checked when a
 * timer fires rather than kept as a timer of its own: a pending "limit" timer would keep
 * the clock from ever going quiet, and quiescence is how a stuck run (and the runtime's own
 * deadlock probe) is noticed.
 */
export class ReplayClock extends VirtualClock {
  #limitAt = Number.POSITIVE_INFINITY;
  #onLimit: (() => void) | undefined;
  #hit = false;

  /** From now on, a timer due after `atMs` stops the run instead of firing. */
  setLimit(atMs: number, onLimit: () => void): void {
    this.#limitAt = atMs;
    this.#onLimit = onLimit;
    this.#hit = false;
  }

  get limitHit(): boolean {
    return this.#hit;
  }

  override timer(ms: number, fn: () => void): () => void {
    return super.timer(ms, () => {
      if (this.now() <= this.#limitAt) {
        fn();
        return;
      }
      if (this.#hit) return;
      this.#hit = true;
      this.pause();
      this.#onLimit?.();
    });
  }
}
