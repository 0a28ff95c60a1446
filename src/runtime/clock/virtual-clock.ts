import { AsyncResource } from 'node:async_hooks';
import { type Clock, sleepWith } from './clock.js';

const QUIET_ROUNDS = 3;

interface PendingTimer {
  readonly at: number;
  readonly seq: number;
  fn: () => void;
  /** The async context of whoever created the timer (see `timer()`). */
  context: AsyncResource | undefined;
  cancelled: boolean;
}

/** Called when the clock has nothing left to run while somebody still waits on it. */
export type QuiescenceHook = () => void;

/**
 * Virtual time. Timers fire in (time, creation order); between two timers every pending
 * promise continuation runs first, so a session's behaviour depends only on its script.
 *
 * With `autoAdvance` (the default) the clock moves itself: whenever the event loop has
 * drained the microtasks that the last timer caused, it jumps to the next timer. A session
 * on this clock therefore runs as fast as the CPU allows, and `await session.run(...)` works
 * without anybody calling `advance()`.
 */
export class VirtualClock implements Clock {
  readonly virtual = true;
  #now = 0;
  #seq = 0;
  #timers: PendingTimer[] = [];
  #pumpScheduled = false;
  #paused: boolean;
  #quiescenceHooks = new Set<QuiescenceHook>();

  constructor(options: { autoAdvance?: boolean } = {}) {
    this.#paused = options.autoAdvance === false;
  }

  now(): number {
    return this.#now;
  }

  /** Number of timers still scheduled. */
  get pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /** Calls `hook` whenever auto-advance finds no timer left to fire; returns the unsubscribe. */
  onQuiescent(hook: QuiescenceHook): () => void {
    this.#quiescenceHooks.add(hook);
    return () => this.#quiescenceHooks.delete(hook);
  }

  timer(ms: number, fn: () => void): () => void {
    const entry: PendingTimer = {
      at: this.#now + Math.max(0, ms),
      seq: this.#seq++,
      fn,
      // Like a host timer, the callback runs in the async context of whoever created it,
      // not of whatever code happened to schedule the pump that fires it. (A resource and
      // runInAsyncScope, not AsyncResource.bind: on Node 20 bind costs ~7 µs a call, more than
      // the rest of a timer, and a replay makes hundreds of thousands of timers.)
      context: new AsyncResource('VirtualTimer'),
      cancelled: false,
    };
    this.#insert(entry);
    this.#schedulePump();
    return () => {
      entry.cancelled = true;
      // A cancelled timer waits in the list until its time: it must not keep its closure alive.
      entry.fn = noop;
      entry.context = undefined;
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepWith(this, ms, signal);
  }

  /** Stops auto-advance; time then moves only through `advance()` / `runUntilIdle()`. */
  pause(): void {
    this.#paused = true;
  }

  /** Resumes auto-advance. */
  resume(): void {
    this.#paused = false;
    this.#schedulePump();
  }

  /** Moves time forward by `ms`, firing every timer due on the way (with microtasks between). */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await drainMicrotasks();
      const next = this.#peek();
      if (!next || next.at > target) break;
      this.#fireNext();
    }
    this.#now = Math.max(this.#now, target);
    await drainMicrotasks();
  }

  /** Fires the next timer (after pending microtasks); false if there is none. */
  async runNext(): Promise<boolean> {
    await drainMicrotasks();
    if (!this.#peek()) return false;
    this.#fireNext();
    await drainMicrotasks();
    return true;
  }

  /** Fires timers until none is left (or `limitMs` of virtual time has passed). */
  async runUntilIdle(limitMs = Number.POSITIVE_INFINITY): Promise<void> {
    const limit = this.#now + limitMs;
    for (;;) {
      await drainMicrotasks();
      const next = this.#peek();
      if (!next || next.at > limit) break;
      this.#fireNext();
    }
  }

  #insert(entry: PendingTimer): void {
    // Binary insertion keeps timers sorted by (at, seq).
    let lo = 0;
    let hi = this.#timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.#timers[mid]!;
      if (t.at < entry.at || (t.at === entry.at && t.seq < entry.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.#timers.splice(lo, 0, entry);
  }

  #peek(): PendingTimer | undefined {
    while (this.#timers.length > 0 && this.#timers[0]!.cancelled) this.#timers.shift();
    return this.#timers[0];
  }

  #fireNext(): void {
    const next = this.#timers.shift();
    if (!next) return;
    this.#now = Math.max(this.#now, next.at);
    if (next.context) next.context.runInAsyncScope(next.fn);
    else next.fn();
  }

  #schedulePump(): void {
    if (this.#paused || this.#pumpScheduled) return;
    this.#queuePump();
  }

  #queuePump(idleRounds = 0): void {
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      if (this.#paused) return;
      const next = this.#peek();
      if (!next) {
        // Code may hop through a few host callbacks (e.g. stream internals) before it
        // schedules its next timer: only a few empty rounds in a row mean quiescence.
        if (idleRounds < QUIET_ROUNDS) this.#queuePump(idleRounds + 1);
        else for (const hook of [...this.#quiescenceHooks]) hook();
        return;
      }
      this.#fireNext();
      this.#queuePump();
    });
  }
}

function noop(): void {}

/**
 * Resolves once the microtask queue has drained. `setImmediate` runs after all pending
 * promise jobs, which is exactly "everything the last timer caused has settled".
 */
export function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
