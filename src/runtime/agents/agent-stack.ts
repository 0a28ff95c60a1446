import type { Clock } from '../clock/clock.js';
import { type Actor, type ActorRuntime, currentActor, runAsActor } from '../core/actor.js';
import { type Deferred, deferred } from '../core/deferred.js';
import {
  errorMessage,
  InterruptedError,
  SessionClosedError,
  TaskCancelledError,
} from '../core/errors.js';
import type { IdGenerator } from '../core/ids.js';
import type { Scope } from '../core/scope.js';
import type { Waits } from '../core/waits.js';
import type { EventBus } from '../events/emitter.js';
import type { HistoryStore } from '../history/history-store.js';
import type { ActivityTracker } from '../session/activity-tracker.js';
import type { AgentSession } from '../session/session.js';
import { type Agent, BIND_SESSION, type HookContext, type UserTurn } from './agent.js';
import type { AgentTask } from './agent-task.js';

/** One agent or task on the stack, with the actor its hooks and speech run under. */
export interface Activity {
  readonly id: string;
  readonly kind: 'agent' | 'task';
  readonly agent: Agent;
  readonly actor: Actor;
  /** Owns the agent's hooks and speech; closed when the agent leaves the stack. */
  readonly scope: Scope;
  readonly startedAt: number;
}

interface TaskRequest {
  readonly kind: 'task';
  readonly task: AgentTask<unknown>;
  readonly id: string;
  /** The task's node in the wait-for graph (and its actor once it runs). */
  readonly actor: Actor;
  readonly requester: Actor | undefined;
  readonly from: Activity;
  readonly result: Deferred<unknown>;
}

interface HandoffRequest {
  readonly kind: 'handoff';
  readonly agent: Agent;
}

type Request = TaskRequest | HandoffRequest;

export interface AgentStackDeps {
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly ids: IdGenerator;
  readonly waits: Waits;
  readonly scope: Scope;
  readonly activity: ActivityTracker;
  readonly history: HistoryStore;
  readonly session: AgentSession<unknown>;
  readonly isClosing: () => boolean;
}

/**
 * The stack of active agent and tasks (bottom: the session's agent). Exactly one — the top —
 * is active: it gets user turns. A task waits its turn until the stack's top is the agent or
 * task that asked for it, so tasks from parallel tool calls run one after another in call
 * order, and a task started from inside another task runs at once on top of it (C3).
 */
export class AgentStack implements ActorRuntime {
  readonly #d: AgentStackDeps;
  readonly #entries: Activity[] = [];
  readonly #requests: Request[] = [];
  readonly #tasks = new Map<AgentTask<unknown>, TaskRequest>();
  #handoffInProgress = false;
  #closed = false;

  constructor(deps: AgentStackDeps) {
    this.#d = deps;
  }

  get top(): Activity {
    const top = this.#entries[this.#entries.length - 1];
    if (!top) throw new Error('the session has not started');
    return top;
  }

  /** The session's own agent (bottom of the stack). */
  get root(): Activity {
    const root = this.#entries[0];
    if (!root) throw new Error('the session has not started');
    return root;
  }

  get ids(): string[] {
    return this.#entries.map((e) => e.id);
  }

  contains(activity: Activity): boolean {
    return this.#entries.includes(activity);
  }

  /** The activity the caller runs under (its agent or task), or the active one. */
  activityOf(actor: Actor | undefined): Activity {
    for (let a = actor; a; a = a.parent) {
      const found = this.#entries.find((e) => e.actor === a);
      if (found) return found;
    }
    return this.top;
  }

  /** Whether a running or waiting task was asked for from inside speech `speech`. */
  isAwaitedByTaskOf(speech: Actor): boolean {
    for (const request of this.#tasks.values()) {
      for (let a = request.requester; a; a = a.parent) if (a === speech) return true;
    }
    return false;
  }

  start(agent: Agent): void {
    const id = this.#d.ids.next('agent');
    const activity = this.#newActivity(agent, 'agent', id, this.#agentActor(agent, id));
    this.#entries.push(activity);
    this.#emitChanged(activity, null, 'start');
    void this.runHook(activity, 'onEnter');
  }

  runTask<T>(task: AgentTask<T>): Promise<T> {
    const requester = currentActor();
    const existing = this.#tasks.get(task as AgentTask<unknown>);
    if (existing) {
      const result = existing.result.promise as Promise<T>;
      return this.#d.waits.track(requester, [existing.actor], 'result', result);
    }
    if (this.#closed) return Promise.reject(new SessionClosedError());
    const id = this.#d.ids.next('task');
    const request: TaskRequest = {
      kind: 'task',
      task: task as AgentTask<unknown>,
      id,
      actor: {
        label: `task ${task.name} (${id})`,
        kind: 'task',
        parent: requester,
        runtime: this,
        agentId: id,
        taskId: id,
      },
      requester,
      from: this.activityOf(requester),
      result: deferred<unknown>(),
    };
    this.#tasks.set(request.task, request);
    this.#requests.push(request);
    const result = request.result.promise as Promise<T>;
    const waited = this.#d.waits.track(requester, [request.actor], 'result', result);
    this.#process();
    return waited;
  }

  /** Replaces the session's agent once no task is active (a handoff never breaks an await). */
  handoff(agent: Agent): void {
    if (this.#closed) throw new SessionClosedError();
    this.#requests.push({ kind: 'handoff', agent });
    this.#process();
  }

  /** The agent's onUserTurnCompleted hook; the reply waits for it (`node` is who it waits on). */
  runUserTurnHook(activity: Activity, turn: UserTurn): { promise: Promise<void>; node: Actor } {
    const actor = this.#hookActor(activity, 'onUserTurnCompleted', ` (${turn.id})`);
    const promise = this.#runHookAs(activity, actor, (ctx) =>
      activity.agent.onUserTurnCompleted(turn, ctx),
    );
    return { promise, node: actor };
  }

  /** Runs an agent hook as an actor; failures become error events, never crashes. */
  runHook(
    activity: Activity,
    hook: 'onEnter' | 'onExit',
    options: { atEndOfInstant?: boolean } = {},
  ): Promise<void> {
    const actor = this.#hookActor(activity, hook, '');
    const clock = this.#d.clock;
    return this.#runHookAs(activity, actor, async (ctx) => {
      if (options.atEndOfInstant) await clock.sleep(0, ctx.signal);
      await activity.agent[hook](ctx);
    });
  }

  /** Session close: every waiting or running task is cancelled (its await rejects). */
  cancelAll(reason: string): void {
    this.#closed = true;
    for (const request of this.#requests.splice(0)) {
      if (request.kind === 'task') this.#cancel(request, reason);
    }
    while (this.#entries.length > 1) {
      const top = this.#entries.pop()!;
      const request = this.#requestOf(top);
      if (request) this.#cancel(request, reason, top);
    }
  }

  #hookActor(activity: Activity, hook: NonNullable<Actor['hook']>, suffix: string): Actor {
    return {
      label: `${activity.agent.name}.${hook}${suffix}`,
      kind: 'hook',
      hook,
      parent: activity.actor,
      runtime: this,
      agentId: activity.id,
    };
  }

  /**
   * A hook runs in its agent's scope (its signal aborts when the agent leaves), as an actor
   * whose waits are known; it is tracked so "idle" knows it is in flight.
   */
  #runHookAs(
    activity: Activity,
    actor: Actor,
    body: (ctx: HookContext) => Promise<void>,
  ): Promise<void> {
    const release = this.#d.activity.hookStarted(actor);
    const run = activity.scope.spawn(actor.label, (signal) =>
      runAsActor(actor, () => body({ signal })),
    );
    return run.then(
      () => release(),
      (err: unknown) => {
        release();
        this.#reportHookFailure(actor, activity, err);
      },
    );
  }

  #reportHookFailure(actor: Actor, activity: Activity, err: unknown): void {
    // A hook that stops because its agent left or the session closed is not a failure.
    const ending = this.#d.isClosing() || activity.scope.signal.aborted;
    const cancelled =
      err instanceof SessionClosedError ||
      err instanceof TaskCancelledError ||
      err instanceof InterruptedError ||
      err === activity.scope.signal.reason;
    if (ending && cancelled) return;
    this.#d.bus.emit('error', {
      code: 'hook_failed',
      message: `${actor.label} failed: ${errorMessage(err)}`,
      source: actor.label,
      recoverable: true,
    });
  }

  #process(): void {
    if (this.#closed) return;
    const top = this.#entries[this.#entries.length - 1];
    if (!top) return;
    for (let i = 0; i < this.#requests.length; i++) {
      const request = this.#requests[i]!;
      if (request.kind === 'task') {
        if (!this.#entries.includes(request.from)) {
          this.#requests.splice(i, 1);
          this.#cancel(request, `${request.from.agent.name} is no longer active`);
          i--;
          continue;
        }
        if (request.from !== top) continue;
        this.#requests.splice(i, 1);
        this.#activate(request);
        return;
      }
      if (this.#handoffInProgress || this.#entries.length !== 1) continue;
      this.#requests.splice(i, 1);
      const agent = request.agent;
      void this.#d.scope.spawn(`handoff to ${agent.name}`, () => this.#applyHandoff(agent));
      return;
    }
  }

  #activate(request: TaskRequest): void {
    const previous = this.top;
    const activity = this.#newActivity(request.task, 'task', request.id, request.actor);
    this.#entries.push(activity);
    this.#d.bus.emit('task.started', {
      taskId: request.id,
      name: request.task.name,
      awaitedBy: request.requester?.label ?? 'external',
      parentAgentId: previous.id,
    });
    this.#emitChanged(activity, previous.id, 'task_started');
    // onEnter starts at the end of this instant: speech the requester asks for in the same
    // tick (a filler `say()` next to `await task`) is queued first, whatever the call order.
    void this.runHook(activity, 'onEnter', { atEndOfInstant: true });
    void activity.scope.spawn('outcome', async () => {
      try {
        const value = await request.task.outcome;
        await this.#finishTask(activity, request, { ok: true, value });
      } catch (error) {
        await this.#finishTask(activity, request, { ok: false, error });
      }
    });
  }

  async #finishTask(
    activity: Activity,
    request: TaskRequest,
    outcome: { ok: true; value: unknown } | { ok: false; error: unknown },
  ): Promise<void> {
    if (!this.#entries.includes(activity)) return;
    // Tasks started inside this one cannot outlive it.
    while (this.top !== activity) {
      const inner = this.#entries.pop()!;
      const innerRequest = this.#requestOf(inner);
      if (innerRequest) this.#cancel(innerRequest, `${request.task.name} completed`, inner);
    }
    await this.runHook(activity, 'onExit');
    const index = this.#entries.indexOf(activity);
    if (index < 0) return;
    this.#entries.splice(index, 1);
    this.#tasks.delete(request.task);
    void activity.scope.close(new Error(`${request.task.name} completed`), this.#d.clock, 0);
    const durationMs = this.#d.clock.now() - activity.startedAt;
    const { id: taskId, task } = request;
    if (outcome.ok) this.#d.bus.emit('task.completed', { taskId, name: task.name, durationMs });
    else {
      const error = errorMessage(outcome.error);
      this.#d.bus.emit('task.failed', { taskId, name: task.name, error });
    }
    this.#emitChanged(this.top, activity.id, 'task_returned');
    if (outcome.ok) request.result.resolve(outcome.value);
    else request.result.reject(outcome.error);
    this.#process();
  }

  async #applyHandoff(agent: Agent): Promise<void> {
    this.#handoffInProgress = true;
    const old = this.#entries[0]!;
    try {
      // onExit may await a task: it runs on top of the old agent until it returns.
      await this.runHook(old, 'onExit');
    } finally {
      this.#handoffInProgress = false;
    }
    if (this.#closed) return;
    const id = this.#d.ids.next('agent');
    const activity = this.#newActivity(agent, 'agent', id, this.#agentActor(agent, id));
    this.#entries[0] = activity;
    void old.scope.close(new Error(`handed off to ${agent.name}`), this.#d.clock, 0);
    this.#d.history.add({ type: 'agent_handoff', fromAgent: old.agent.name, toAgent: agent.name });
    this.#emitChanged(activity, old.id, 'handoff');
    void this.runHook(activity, 'onEnter');
    this.#process();
  }

  #cancel(request: TaskRequest, reason: string, activity?: Activity): void {
    this.#tasks.delete(request.task);
    const index = this.#entries.findIndex((e) => e.id === request.id);
    if (index >= 0) this.#entries.splice(index, 1);
    // A cancelled task's hooks and speech stop: its scope closes with it.
    const error = new TaskCancelledError(request.task.name, reason);
    if (activity) void activity.scope.close(error, this.#d.clock, 0);
    this.#d.bus.emit('task.cancelled', { taskId: request.id, name: request.task.name, reason });
    request.result.reject(error);
  }

  #requestOf(activity: Activity): TaskRequest | undefined {
    for (const request of this.#tasks.values()) if (request.id === activity.id) return request;
    return undefined;
  }

  #agentActor(agent: Agent, id: string): Actor {
    return {
      label: `agent ${agent.name} (${id})`,
      kind: 'agent',
      parent: undefined,
      runtime: this,
      agentId: id,
    };
  }

  #newActivity(agent: Agent, kind: 'agent' | 'task', id: string, actor: Actor): Activity {
    agent[BIND_SESSION](this.#d.session);
    return {
      id,
      kind,
      agent,
      actor,
      scope: this.#d.scope.child(actor.label),
      startedAt: this.#d.clock.now(),
    };
  }

  #emitChanged(
    activity: Activity,
    previousAgentId: string | null,
    reason: 'start' | 'handoff' | 'task_started' | 'task_returned',
  ): void {
    this.#d.bus.emit('agent.changed', {
      agentId: activity.id,
      agentName: activity.agent.name,
      previousAgentId,
      reason,
      stack: this.ids,
    });
  }
}
