import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A node of the wait-for graph. Nodes are compared by identity, never by label: the label is
 * for people (error messages, deadlock reports, debug dumps) only.
 */
export interface WaitNode {
  readonly kind: 'tool' | 'hook' | 'task' | 'speech' | 'agent' | 'step' | 'idle' | 'model';
  /** Readable name, e.g. `tool get_programs (fc_1)`, `speech_3 step 0`, `session idle`. */
  readonly label: string;
}

/** What agent code reaches through the actor it runs as: its session's task runner. */
export interface ActorRuntime {
  /** Runs an AgentTask on this session's stack (typed loosely to keep core free of agents). */
  runTask(task: object): Promise<unknown>;
}

/**
 * Who is running right now: a tool call, a hook, a task, an agent, a speech. User code (tools,
 * hooks) runs inside an actor, so a wait it makes knows its waiter and the chain of owners
 * above it (tool → speech → task → tool → speech …). That chain is the wait-for graph's
 * spine: waiting on any owner above you is a certain cycle (contract C4).
 */
export interface Actor extends WaitNode {
  readonly kind: 'tool' | 'hook' | 'task' | 'speech' | 'agent';
  /** The owner this actor runs under; undefined at the top. */
  readonly parent: Actor | undefined;
  /** The session this actor runs in. */
  readonly runtime: ActorRuntime;
  readonly speechId?: string;
  /** For tool actors: the step of the speech that made the call. */
  readonly step?: number;
  readonly toolCallId?: string;
  readonly taskId?: string;
  readonly agentId?: string;
  /** For hook actors: which hook. */
  readonly hook?: 'onEnter' | 'onExit' | 'onUserTurnCompleted';
}

/** Whether `actor` runs inside its agent's `onEnter` (directly or through a speech it made). */
export function isInOnEnter(actor: Actor | undefined): boolean {
  for (let a = actor; a; a = a.parent) if (a.kind === 'hook') return a.hook === 'onEnter';
  return false;
}

const storage = new AsyncLocalStorage<Actor>();

export function currentActor(): Actor | undefined {
  return storage.getStore();
}

export function runAsActor<T>(actor: Actor, fn: () => T): T {
  return storage.run(actor, fn);
}

/**
 * Runs `fn` as nobody. Event listeners are observers: an event emitted while a tool runs
 * must not make the listener's own waits count as that tool's (a listener calling
 * `waitForIdle()` would otherwise be rejected as a circular wait of the tool).
 */
export function outsideActors<T>(fn: () => T): T {
  // Most events come from no actor at all; leaving the context costs more than the check.
  return storage.getStore() === undefined ? fn() : storage.exit(fn);
}

/** The actor and its owners, innermost first. */
export function actorChain(actor: Actor | undefined): Actor[] {
  const chain: Actor[] = [];
  for (let a = actor; a; a = a.parent) chain.push(a);
  return chain;
}

/** Whether `owner` is `actor` or one of the owners above it. */
export function isOwnedBy(actor: Actor | undefined, owner: WaitNode): boolean {
  for (let a = actor; a; a = a.parent) if (a === owner) return true;
  return false;
}

/** The tool actor of speech `speech` in the chain, if the caller runs under one. */
export function enclosingToolOf(actor: Actor | undefined, speech: Actor): Actor | undefined {
  for (let a = actor; a; a = a.parent) if (a.kind === 'tool' && a.parent === speech) return a;
  return undefined;
}
