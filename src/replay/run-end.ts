import type { SessionEvent } from '../runtime/events/types.js';
import type { TimelineDriver } from './driver.js';
import type { ReplayClock } from './replay-clock.js';
import type { EndReason } from './types.js';

/** What the end-of-run logic needs from the session. */
export interface IdleSource {
  waitForIdle(): Promise<void>;
}

/**
 * Decides when a run is over, whichever comes first:
 * - `idle`: every step has run, the session says nothing can move without the user, and
 *   `settleMs` of virtual time then pass without an event;
 * - `quiescent`: the clock has no timer left (a stuck run; the runtime's own probe has
 *   already reported its wait-for cycle as a `deadlock` event);
 * - `closed`: the session closed (a `close` step);
 * - `limit`: the virtual-time bound was reached.
 */
export class RunEnd {
  readonly done: Promise<EndReason>;
  #resolve!: (reason: EndReason) => void;
  #finished = false;
  #waitingForIdle = false;
  #cancelSettle: (() => void) | undefined;
  readonly #clock: ReplayClock;
  readonly #session: IdleSource;
  readonly #driver: TimelineDriver;
  readonly #settleMs: number;

  constructor(clock: ReplayClock, session: IdleSource, driver: TimelineDriver, settleMs: number) {
    this.#clock = clock;
    this.#session = session;
    this.#driver = driver;
    this.#settleMs = settleMs;
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  get finished(): boolean {
    return this.#finished;
  }

  finish(reason: EndReason): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#cancelSettle?.();
    this.#resolve(reason);
  }

  onEvent(e: SessionEvent): void {
    if (e.type === 'session.closed') {
      this.finish('closed');
      return;
    }
    // Anything happening means "quiet" starts over.
    if (this.#cancelSettle) {
      this.#cancelSettle();
      this.#cancelSettle = undefined;
      this.poke();
    }
  }

  /** Something moved (a step ran): check again whether the run can end. */
  poke(): void {
    if (this.#finished || this.#waitingForIdle || this.#cancelSettle || !this.#driver.allRan)
      return;
    this.#waitingForIdle = true;
    let idle: Promise<void>;
    try {
      idle = this.#session.waitForIdle();
    } catch {
      this.#waitingForIdle = false;
      return;
    }
    idle.then(
      () => {
        this.#waitingForIdle = false;
        if (this.#finished) return;
        this.#cancelSettle = this.#clock.timer(this.#settleMs, () => {
          this.#cancelSettle = undefined;
          this.finish('idle');
        });
      },
      () => {
        // A deadlock: the runtime emitted it as an event and the clock will go quiet.
        this.#waitingForIdle = false;
      },
    );
  }
}
