export interface ReplayObserver<T> {
  item(item: T): void;
  end(): void;
}

/**
 * Reads an async stream once and lets several readers go through it from the start: a
 * retried request sees every item the first attempt saw, then continues with the stream.
 * (An abandoned reader never takes an item away from the next one.)
 */
export class Replayable<T> {
  readonly #items: T[] = [];
  #done = false;
  #error: unknown = undefined;
  #wake: (() => void)[] = [];

  readonly #observer: ReplayObserver<T> | undefined;

  /** `observer` sees each item as it arrives and the end, before any reader does. */
  constructor(source: AsyncIterable<T>, observer?: ReplayObserver<T>) {
    this.#observer = observer;
    void this.#pump(source);
  }

  /** The source failed before giving anything (replaying it would only repeat the failure). */
  get failedEmpty(): boolean {
    return this.#done && this.#error !== undefined && this.#items.length === 0;
  }

  async *read(): AsyncIterable<T> {
    for (let i = 0; ; ) {
      if (i < this.#items.length) {
        yield this.#items[i++] as T;
        continue;
      }
      if (this.#done) {
        if (this.#error !== undefined) throw this.#error;
        return;
      }
      await new Promise<void>((resolve) => this.#wake.push(resolve));
    }
  }

  async #pump(source: AsyncIterable<T>): Promise<void> {
    try {
      for await (const item of source) {
        this.#items.push(item);
        this.#observer?.item(item);
        this.#notify();
      }
    } catch (err) {
      this.#error = err;
    }
    this.#done = true;
    this.#observer?.end();
    this.#notify();
  }

  #notify(): void {
    for (const wake of this.#wake.splice(0)) wake();
  }
}
