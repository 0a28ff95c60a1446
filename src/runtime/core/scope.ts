import type { Clock } from '../clock/clock.js';

type Cleanup = () => void | Promise<void>;

/** Told about work that failed with something other than its scope's cancellation. */
export type ScopeErrorHandler = (work: string, error: unknown) => void;

/**
 * A node of the ownership tree (session → agent activity → speech → step / tool). Every
 * piece of async work the runtime starts is spawned in a scope: the scope owns it, gives it
 * its abort signal, waits for it when it closes and reports it when it fails. Closing a
 * scope aborts its signal, closes its children newest first, runs its cleanups newest
 * first, and waits for its work — but never longer than the given bound (user code may
 * ignore the signal).
 */
export class Scope {
  readonly name: string;
  readonly #controller = new AbortController();
  readonly #children = new Set<Scope>();
  readonly #cleanups: Cleanup[] = [];
  readonly #work = new Set<Promise<unknown>>();
  readonly #parent: Scope | undefined;
  readonly #onError: ScopeErrorHandler;
  #closing: Promise<void> | undefined;

  constructor(name: string, parentOrOnError?: Scope | ScopeErrorHandler) {
    this.name = name;
    if (parentOrOnError instanceof Scope) {
      const parent = parentOrOnError;
      this.#parent = parent;
      this.#onError = parent.#onError;
      parent.#children.add(this);
      if (parent.signal.aborted) this.#controller.abort(parent.signal.reason);
    } else {
      this.#onError = parentOrOnError ?? (() => {});
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

  /**
   * Starts `fn` as work owned by this scope and returns its result. A failure that is not
   * this scope's own cancellation goes to the error handler, so nothing spawned is ever an
   * unhandled rejection, whether or not the caller awaits it. A closed scope starts nothing.
   */
  spawn<T>(work: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.#closing || this.signal.aborted) {
      const refused = Promise.reject<T>(this.signal.reason ?? new Error(`${this.name} is closed`));
      refused.catch(() => {});
      return refused;
    }
    const signal = this.signal;
    const running = fn(signal);
    this.#work.add(running);
    const forget = () => this.#work.delete(running);
    running.then(forget, (error: unknown) => {
      forget();
      // After the scope was cancelled a failure is the work unwinding, not a fault.
      if (!signal.aborted) this.#onError(`${this.name}: ${work}`, error);
    });
    return running;
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
    if (this.#work.size > 0 && boundMs > 0) {
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
