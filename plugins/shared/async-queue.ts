/**
 * An unbounded single-consumer queue that is also an async iterable. Producers push from
 * callbacks (socket handlers, pumps); the consumer pulls with `for await` or `next()`.
 * `fail()` delivers an error after the items already queued, so nothing received before a
 * failure is lost.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #waiters: Array<{
    resolve: (result: IteratorResult<T, undefined>) => void;
    reject: (err: unknown) => void;
  }> = [];
  #ended = false;
  #failure: { error: unknown } | undefined;

  get ended(): boolean {
    return this.#ended;
  }

  push(item: T): void {
    if (this.#ended) return;
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve({ value: item, done: false });
    else this.#items.push(item);
  }

  /** Ends the queue: the consumer gets the queued items, then `done`. Idempotent. */
  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const waiter of this.#waiters.splice(0)) waiter.resolve({ value: undefined, done: true });
  }

  /** Ends the queue with an error, raised once the queued items are consumed. */
  fail(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#failure = { error };
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  /** Takes an item if one is queued right now, without waiting. */
  tryShift(): T | undefined {
    return this.#items.shift();
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#items.length > 0) {
      return Promise.resolve({ value: this.#items.shift() as T, done: false });
    }
    if (this.#failure) return Promise.reject(this.#failure.error);
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return {
      next: () => this.next(),
      return: async () => {
        this.close();
        this.#items.length = 0;
        return { value: undefined, done: true };
      },
    };
  }
}

/**
 * Reads `source` in the background into a queue, so the caller can keep working while more
 * input arrives. Returns the queue and a stop function that abandons the source (its pending
 * `next()` is left to settle on its own; `return()` is requested so generators clean up).
 */
export function pumpInto<T>(
  source: AsyncIterable<T>,
  signal: AbortSignal,
): { queue: AsyncQueue<T>; stop: () => void } {
  const queue = new AsyncQueue<T>();
  const iterator = source[Symbol.asyncIterator]();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    queue.close();
    // A generator parked in an await cannot be interrupted; its return() runs when it wakes.
    iterator.return?.()?.catch(() => {});
  };
  signal.addEventListener('abort', stop, { once: true });
  void (async () => {
    try {
      for (;;) {
        const result = await iterator.next();
        if (stopped) return;
        if (result.done) break;
        queue.push(result.value);
      }
      queue.close();
    } catch (err) {
      if (!stopped) queue.fail(err);
    } finally {
      signal.removeEventListener('abort', stop);
    }
  })();
  return { queue, stop };
}
