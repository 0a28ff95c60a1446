import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Agent code that calls `process.exit()` must not end `voxagent dev` mid-conversation with no
 * message. While the guard is on, `process.exit` does not exit:
 *   - from the code of a load (the module's top level, its factory), it throws an
 *     `AgentExitError`: that build fails with one clear line and the previous one keeps running;
 *   - from anywhere else, or later (a timer the module left behind, a tool of the running
 *     session), the call is reported and ignored: the developer quits with `q`.
 * "The code of a load" is its async context, so the old session's timers running meanwhile
 * are not mistaken for it, and a timer the load left behind does not throw once it is over.
 * `exit()` is the real one, for the command itself.
 */

export class AgentExitError extends Error {
  override readonly name = 'AgentExitError';
  constructor(readonly code: number | undefined) {
    super(`the agent code called process.exit(${code ?? ''}) while loading`);
  }
}

export interface ExitGuardOptions {
  /** A call outside a load: it was ignored; say so on screen and in the log. */
  onIgnored(code: number | undefined): void;
}

export class ExitGuard {
  readonly #realExit: typeof process.exit;
  readonly #onIgnored: ExitGuardOptions['onIgnored'];
  readonly #load = new AsyncLocalStorage<{ running: boolean }>();
  #installed = false;

  constructor(options: ExitGuardOptions) {
    this.#realExit = process.exit;
    this.#onIgnored = options.onIgnored;
  }

  install(): void {
    if (this.#installed) return;
    this.#installed = true;
    const guarded = (code?: number | string | null): never => {
      const n = code === undefined || code === null ? undefined : Number(code);
      if (this.#load.getStore()?.running) throw new AgentExitError(n);
      this.#onIgnored(n);
      // Typed `never` for callers; the guard's whole point is to return.
      return undefined as never;
    };
    process.exit = guarded as typeof process.exit;
  }

  /** Runs a load of agent code: a `process.exit` inside it throws instead. */
  async during<T>(load: () => Promise<T>): Promise<T> {
    const context = { running: true };
    try {
      return await this.#load.run(context, load);
    } finally {
      context.running = false;
    }
  }

  /** Exits for real (the command's own exit). */
  exit(code?: number): never {
    this.dispose();
    return this.#realExit(code);
  }

  dispose(): void {
    if (!this.#installed) return;
    this.#installed = false;
    process.exit = this.#realExit;
  }
}
