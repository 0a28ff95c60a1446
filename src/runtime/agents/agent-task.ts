import { type ActorRuntime, currentActor } from '../core/actor.js';
import { type Deferred, deferred } from '../core/deferred.js';
import type { AgentSession } from '../session/session.js';
import { Agent, type AgentOptions } from './agent.js';

/** How `task.run(session)` reaches a session's task runner (not part of the public API). */
export const TASK_RUNTIME: unique symbol = Symbol('voxagent.taskRuntime');

/** What `task.run(session)` needs from the session it is given. */
export interface HasTaskRuntime {
  readonly [TASK_RUNTIME]: ActorRuntime;
}

/**
 * An agent that runs until it calls `complete(result)` (or `complete(error)`), then hands
 * control back to whoever awaited it. `await task` is `await task.run()`.
 */
export class AgentTask<T, UserData = unknown> extends Agent<UserData> implements PromiseLike<T> {
  readonly #result: Deferred<T> = deferred<T>();

  constructor(options: AgentOptions<UserData>) {
    super(options);
  }

  /** Finishes the task with a result, or fails it with an Error. Only the first call counts. */
  complete(result: T | Error): void {
    if (result instanceof Error) this.#result.reject(result);
    else this.#result.resolve(result);
  }

  get isComplete(): boolean {
    return this.#result.settled;
  }

  /** @internal the promise `complete()` settles; the agent stack watches it. */
  get outcome(): Promise<T> {
    return this.#result.promise;
  }

  /**
   * Makes this task the active agent until it completes, and returns its result. Works from
   * a tool, a hook, another task's tool (any depth) or test code with `session` given.
   */
  run(session?: AgentSession<UserData>): Promise<T> {
    const runtime =
      (session as HasTaskRuntime | undefined)?.[TASK_RUNTIME] ?? currentActor()?.runtime;
    if (!runtime) {
      return Promise.reject(
        new Error(
          `AgentTask ${this.name}.run() needs a session: call it from a tool or hook, or pass the session`,
        ),
      );
    }
    // The stack remembers a task already asked for, so a second await joins the first.
    return runtime.runTask(this) as Promise<T>;
  }

  // biome-ignore lint/suspicious/noThenProperty: `await task` runs the task, as in LiveKit.
  then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    return this.run().then(onfulfilled, onrejected);
  }
}
