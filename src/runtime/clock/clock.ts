/**
 * The one source of time for the runtime. Nothing in `src/runtime` reads the wall clock or
 * starts a host timer directly: everything goes through a Clock, so a session can run on the
 * real clock in production and on a virtual clock in tests and replays (contract C10).
 */
export interface Clock {
  /** Milliseconds since this clock's origin. */
  now(): number;
  /** Runs `fn` once after `ms`; the returned function cancels it (idempotent). */
  timer(ms: number, fn: () => void): () => void;
  /** Resolves after `ms`; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** True for a virtual clock (time only moves when the clock advances it). */
  readonly virtual: boolean;
}

export function sleepWith(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      cancel();
      reject(signal?.reason);
    };
    const cancel = clock.timer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
