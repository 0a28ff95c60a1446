import { type Actor, actorChain, currentActor, runAsActor } from '../core/actor.js';
import { type Deferred, deferred } from '../core/deferred.js';
import { errorMessage, SessionClosedError, TaskCancelledError } from '../core/errors.js';
import type { Scope } from '../core/scope.js';
import type { SessionCore } from '../session/session-core.js';
import { type Agent, bindAgent, type UserTurn } from './agent.js';
import type { AgentTask } from './agent-task.js';

/** One agent or task on the stack, with the actor its hooks and speech run under. */
export interface Activity {
  readonly id: string;
  readonly kind: 'agent' | 'task';
  readonly agent: Agent;
  readonly actor: Actor;
  readonly scope: Scope;
  readonly startedAt: number;
}

interface TaskRequest {
  readonly kind: 'task';
  readonly task: AgentTask<unknown>;
  readonly id: string;
  readonly label: string;
  readonly requester: Actor | undefined;
  readonly from: Activity;
  readonly result: Deferred<unknown>;
}

interface HandoffRequest {
  readonly kind: 'handoff';
  readonly agent: Agent;
}

type Request = TaskRequest | HandoffRequest;

/**
 * The stack of active agent and tasks (bottom: the session's agent). Exactly one — the top —
 * is active: it gets user turns. A task waits its turn until the stack's top is the agent or
 * task that asked for it, so tasks from parallel tool calls run one after another in call
 * order, and a task started from inside another task runs at once on top of it (C3).
 */
export class AgentStack {
  readonly #core: SessionCore;
  readonly #entries: Activity[] = [];
  readonly #requests: Request[] = [];
  readonly #tasks = new Map<AgentTask<unknown>, TaskRequest>();
  #handoffInProgress = false;
  #closed = false;

  constructor(core: SessionCore) {
    this.#core = core;
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
    for (const a of actorChain(actor)) {
      const found = this.#entries.find((e) => e.actor === a);
      if (found) return found;
    }
    return this.top;
  }

  /** Whether a running or waiting task was asked for from inside speech `speechId`. */
  isAwaitedByTaskOf(speechId: string): boolean {
    for (const request of this.#tasks.values()) {
      if (actorChain(request.requester).some((a) => a.label === speechId)) return true;
    }
    return false;
  }

  start(agent: Agent): void {
    const activity = this.#newActivity(agent, 'agent', this.#core.ids.next('agent'), undefined);
    this.#entries.push(activity);
    this.#emitChanged(activity, null, 'start');
    void this.runHook(activity, 'onEnter');
  }

  runTask<T>(task: AgentTask<T>): Promise<T> {
    const requester = currentActor();
    const existing = this.#tasks.get(task as AgentTask<unknown>);
    if (existing) {
      return this.#core.waits.track(
        requester,
        [existing.label],
        'result',
        existing.result.promise as Promise<T>,
      );
    }
    if (this.#closed) return Promise.reject(new SessionClosedError());
    const id = this.#core.ids.next('task');
    const request: TaskRequest = {
      kind: 'task',
      task: task as AgentTask<unknown>,
      id,
      label: `task ${task.name} (${id})`,
      requester,
      from: this.activityOf(requester),
      result: deferred<unknown>(),
    };
    this.#tasks.set(request.task, request);
    this.#requests.push(request);
    const waited = this.#core.waits.track(
      requester,
      [request.label],
      'result',
      request.result.promise as Promise<T>,
    );
    this.#process();
    return waited;
  }

  /** Replaces the session's agent once no task is active (a handoff never breaks an await). */
  handoff(agent: Agent, _by?: Actor): void {
    if (this.#closed) throw new SessionClosedError();
    this.#requests.push({ kind: 'handoff', agent });
    this.#process();
  }

  /** The agent's onUserTurnCompleted hook; the reply waits for it (`label` names the wait). */
  runUserTurnHook(activity: Activity, turn: UserTurn): { promise: Promise<void>; label: string } {
    const hook = `onUserTurnCompleted (${turn.id})`;
    const promise = this.#runHookAs(activity, hook, () => activity.agent.onUserTurnCompleted(turn));
    return { promise, label: `${activity.agent.name}.${hook}` };
  }

  /** Runs an agent hook as an actor; failures become error events, never crashes. */
  runHook(activity: Activity, hook: 'onEnter' | 'onExit'): Promise<void> {
    return this.#runHookAs(activity, hook, () => activity.agent[hook]());
  }

  async #runHookAs(activity: Activity, hook: string, body: () => Promise<void>): Promise<void> {
    const actor: Actor = {
      label: `${activity.agent.name}.${hook}`,
      kind: 'hook',
      parent: activity.actor,
      sessionKey: this.#core.key,
      agentId: activity.id,
    };
    const release = this.#core.activity.hookStarted(actor);
    try {
      await runAsActor(actor, body);
    } catch (err) {
      const quiet =
        this.#core.closing &&
        (err instanceof SessionClosedError || err instanceof TaskCancelledError);
      if (!quiet) {
        this.#core.bus.emit('error', {
          code: 'hook_failed',
          message: `${actor.label} failed: ${errorMessage(err)}`,
          source: actor.label,
          recoverable: true,
        });
      }
    } finally {
      release();
    }
  }

  /** Session close: every waiting or running task is cancelled (its await rejects). */
  cancelAll(reason: string): void {
    this.#closed = true;
    for (const request of this.#requests.splice(0)) {
      if (request.kind === 'task') this.#cancel(request, reason);
    }
    while (this.#entries.length > 1) {
      const top = this.#entries.pop()!;
      const request = [...this.#tasks.values()].find((r) => r.id === top.id);
      if (request) this.#cancel(request, reason);
    }
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
      void this.#applyHandoff(request.agent);
      return;
    }
  }

  #activate(request: TaskRequest): void {
    const previous = this.top;
    const activity = this.#newActivity(request.task, 'task', request.id, request.requester);
    this.#entries.push(activity);
    this.#core.bus.emit('task.started', {
      taskId: request.id,
      name: request.task.name,
      awaitedBy: request.requester?.label ?? 'external',
      parentAgentId: previous.id,
    });
    this.#emitChanged(activity, previous.id, 'task_started');
    void this.runHook(activity, 'onEnter');
    request.task.outcome.then(
      (value) => this.#finishTask(activity, request, { ok: true, value }),
      (error: unknown) => this.#finishTask(activity, request, { ok: false, error }),
    );
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
      const innerRequest = [...this.#tasks.values()].find((r) => r.id === inner.id);
      if (innerRequest) this.#cancel(innerRequest, `${request.task.name} completed`);
    }
    await this.runHook(activity, 'onExit');
    const index = this.#entries.indexOf(activity);
    if (index < 0) return;
    this.#entries.splice(index, 1);
    this.#tasks.delete(request.task);
    void activity.scope.close(new Error(`${request.task.name} completed`), this.#core.clock, 0);
    const durationMs = this.#core.clock.now() - activity.startedAt;
    if (outcome.ok) {
      this.#core.bus.emit('task.completed', {
        taskId: request.id,
        name: request.task.name,
        durationMs,
      });
    } else {
      this.#core.bus.emit('task.failed', {
        taskId: request.id,
        name: request.task.name,
        error: errorMessage(outcome.error),
      });
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
    const activity = this.#newActivity(agent, 'agent', this.#core.ids.next('agent'), undefined);
    this.#entries[0] = activity;
    void old.scope.close(new Error(`handed off to ${agent.name}`), this.#core.clock, 0);
    this.#core.history.add({
      type: 'agent_handoff',
      fromAgent: old.agent.name,
      toAgent: agent.name,
    });
    this.#emitChanged(activity, old.id, 'handoff');
    void this.runHook(activity, 'onEnter');
    this.#process();
  }

  #cancel(request: TaskRequest, reason: string): void {
    this.#tasks.delete(request.task);
    const index = this.#entries.findIndex((e) => e.id === request.id);
    if (index >= 0) this.#entries.splice(index, 1);
    this.#core.bus.emit('task.cancelled', { taskId: request.id, name: request.task.name, reason });
    request.result.reject(new TaskCancelledError(request.task.name, reason));
  }

  #newActivity(
    agent: Agent,
    kind: 'agent' | 'task',
    id: string,
    requester: Actor | undefined,
  ): Activity {
    bindAgent(agent, this.#core.session);
    const label = kind === 'task' ? `task ${agent.name} (${id})` : `agent ${agent.name} (${id})`;
    return {
      id,
      kind,
      agent,
      actor: {
        label,
        kind,
        parent: requester,
        sessionKey: this.#core.key,
        agentId: id,
        ...(kind === 'task' ? { taskId: id } : {}),
      },
      scope: this.#core.scope.child(label),
      startedAt: this.#core.clock.now(),
    };
  }

  #emitChanged(
    activity: Activity,
    previousAgentId: string | null,
    reason: 'start' | 'handoff' | 'task_started' | 'task_returned',
  ): void {
    this.#core.bus.emit('agent.changed', {
      agentId: activity.id,
      agentName: activity.agent.name,
      previousAgentId,
      reason,
      stack: this.ids,
    });
  }
}
