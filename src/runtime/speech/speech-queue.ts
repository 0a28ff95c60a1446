/** What the queue needs from a speech it schedules. */
export interface Schedulable {
  readonly id: string;
  readonly priority: number;
  /** Called when this speech gets the audio output; it must `release()` it when done. */
  runStep(): Promise<void>;
}

export const SpeechPriority = { low: 0, normal: 5, high: 10 } as const;

/**
 * The one speech queue (contract C1): one speech holds the audio output at a time, the
 * best priority first and first-come-first-served within a priority. A speech releases the
 * output as soon as its audio has played out (not when its tools finish), so fillers and a
 * task's speech can play while tools run. Everything here is synchronous: a release and the
 * next speech's start happen in the same tick.
 */
export class SpeechQueue {
  readonly #waiting: { item: Schedulable; seq: number }[] = [];
  readonly #onError: (item: Schedulable, err: unknown) => void;
  #current: Schedulable | undefined;
  #seq = 0;
  #closed = false;

  constructor(onError: (item: Schedulable, err: unknown) => void) {
    this.#onError = onError;
  }

  get current(): Schedulable | undefined {
    return this.#current;
  }

  /** The speech waiting for the output, in the order it will get it. */
  get waiting(): Schedulable[] {
    return this.#waiting.map((w) => w.item);
  }

  enqueue(item: Schedulable): void {
    if (this.#closed) return;
    const entry = { item, seq: this.#seq++ };
    let i = this.#waiting.length;
    // Insert after every entry of equal or better priority (FIFO within a priority).
    while (i > 0 && this.#waiting[i - 1]!.item.priority < item.priority) i--;
    this.#waiting.splice(i, 0, entry);
    this.#pump();
  }

  /** Takes a speech out of the queue (interrupted before it started). */
  remove(item: Schedulable): void {
    const i = this.#waiting.findIndex((w) => w.item === item);
    if (i >= 0) this.#waiting.splice(i, 1);
  }

  /** The speech gives the output back; the next one starts now. */
  release(item: Schedulable): void {
    if (this.#current !== item) return;
    this.#current = undefined;
    this.#pump();
  }

  close(): void {
    this.#closed = true;
    this.#waiting.length = 0;
  }

  #pump(): void {
    if (this.#current || this.#closed) return;
    const next = this.#waiting.shift();
    if (!next) return;
    this.#current = next.item;
    next.item.runStep().catch((err: unknown) => {
      this.release(next.item);
      this.#onError(next.item, err);
    });
  }
}
