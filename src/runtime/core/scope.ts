import type { Clock } from '../clock/clock.js';

type Cleanup = () => void | Promise<void>;

/**
 * A node of the ownership tree (session → agent activity → speech → step / tool).
 * Work started in a scope is tracked by it; closing a scope aborts its signal, closes its
 * children newest first, runs its cleanups newest first, and waits for its tracked work,
 * but never longer than the given bound (user code may ignore the signal).
 */
export class Scope {
  readonly name: string;
  readonly #controller = new AbortController();
  readonly #children = new Set<Scope>();
  readonly #cleanups: Cleanup[] = [];
  readonly #work = new Set<Promise<unknown>>();
  readonly #parent: Scope | undefined;
  #closing: Promise<void> | undefined;

  constructor(name: string, parent?: Scope) {
    this.name = name;
    this.#parent = parent;
    if (parent) {
      parent.#children.add(this);
      if (parent.signal.aborted) this.#controller.abort(parent.signal.reason);
    }
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  child(name: string): Scope {
    return new Scope(name, this);
  }

  /** Registers teardown next to setup; runs when the scope closes (newest first). */
  defer(cleanup: Cleanup): void {
    if (this.#closing) {
      void Promise.resolve().then(cleanup);
      return;
    }
    this.#cleanups.push(cleanup);
  }

  /** Tracks a piece of work so close() waits for it; returns the same promise. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.#work.add(promise);
    const forget = () => this.#work.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** Aborts the signal only (the work sees it and unwinds); close() also waits. */
  abort(reason: unknown): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
    for (const child of [...this.#children].reverse()) child.abort(reason);
  }

  close(reason: unknown, clock: Clock, boundMs: number): Promise<void> {
    if (!this.#closing) this.#closing = this.#close(reason, clock, boundMs);
    return this.#closing;
  }

  async #close(reason: unknown, clock: Clock, boundMs: number): Promise<void> {
    this.abort(reason);
    for (const child of [...this.#children].reverse()) await child.close(reason, clock, boundMs);
    for (const cleanup of this.#cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // Teardown must continue past a failing cleanup.
      }
    }
    this.#cleanups.length = 0;
    if (this.#work.size > 0) {
      let cancel: (() => void) | undefined;
      const bound = new Promise<void>((resolve) => {
        cancel = clock.timer(boundMs, resolve);
      });
      await Promise.race([Promise.allSettled([...this.#work]), bound]);
      cancel?.();
    }
    if (this.#parent) this.#parent.#children.delete(this);
  }
}
