import type { Clock } from '../../src/runtime/clock/clock.js';

interface Waiter<T> {
  readonly key: string | undefined;
  readonly settle: (value: T) => void;
}

/**
 * The session's waits for server acknowledgements: a commit's item id, a truncation, the
 * end of the responses still running. Each wait is bounded (the server may never answer)
 * and ends at once when the connection goes away; none of them ever rejects.
 */
export class Waiters {
  readonly #clock: Clock;
  readonly #boundMs: number;
  readonly #commits: Array<Waiter<string | undefined>> = [];
  readonly #truncations: Array<Waiter<void>> = [];
  readonly #idle: Array<Waiter<void>> = [];

  constructor(clock: Clock, boundMs: number) {
    this.#clock = clock;
    this.#boundMs = boundMs;
  }

  /** The id of the item the next `input_audio_buffer.committed` names. */
  commit(): Promise<string | undefined> {
    return this.#wait(this.#commits, undefined, undefined);
  }

  committed(itemId: string | undefined): void {
    this.#commits[0]?.settle(itemId);
  }

  truncate(itemId: string): Promise<void> {
    return this.#wait(this.#truncations, itemId, undefined);
  }

  truncated(itemId: string): void {
    for (const waiter of this.#truncations.filter((w) => w.key === itemId)) waiter.settle();
  }

  /** Until `active` is empty (checked again by `wakeIdle`). */
  idle(active: ReadonlySet<string>): Promise<void> {
    if (active.size === 0) return Promise.resolve();
    return this.#wait(this.#idle, undefined, undefined);
  }

  wakeIdle(active: ReadonlySet<string>): void {
    if (active.size > 0) return;
    for (const waiter of [...this.#idle]) waiter.settle();
  }

  /** The connection is gone: nothing will be acknowledged any more. */
  releaseAll(): void {
    for (const waiter of [...this.#commits]) waiter.settle(undefined);
    for (const waiter of [...this.#truncations]) waiter.settle();
    for (const waiter of [...this.#idle]) waiter.settle();
  }

  #wait<T>(list: Array<Waiter<T>>, key: string | undefined, timedOut: T): Promise<T> {
    return new Promise<T>((resolve) => {
      let cancel = () => {};
      const waiter: Waiter<T> = {
        key,
        settle: (value: T) => {
          const at = list.indexOf(waiter);
          if (at < 0) return;
          list.splice(at, 1);
          cancel();
          resolve(value);
        },
      };
      list.push(waiter);
      cancel = this.#clock.timer(this.#boundMs, () => waiter.settle(timedOut));
    });
  }
}
