import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who is running right now: a tool call, a hook, a task. User code (tools, hooks) runs
 * inside an actor, so a wait it makes knows its waiter and the chain of owners above it
 * (tool → speech → task → tool → speech …). That chain is the wait-for graph's spine:
 * waiting on any owner above you is a certain cycle (contract C4).
 */
export interface Actor {
  /** Readable node name, e.g. `tool get_programs (fc_1)`. */
  readonly label: string;
  readonly kind: 'tool' | 'hook' | 'task' | 'speech' | 'agent';
  /** The owner this actor runs under; undefined at the top. */
  readonly parent: Actor | undefined;
  /** Owning session (opaque here, to avoid an import cycle). */
  readonly sessionKey: object;
  readonly speechId?: string;
  /** For tool actors: the step of the speech that made the call. */
  readonly step?: number;
  readonly toolCallId?: string;
  readonly taskId?: string;
  readonly agentId?: string;
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
  return storage.exit(fn);
}

/** The actor and its owners, innermost first. */
export function actorChain(actor: Actor | undefined): Actor[] {
  const chain: Actor[] = [];
  for (let a = actor; a; a = a.parent) chain.push(a);
  return chain;
}

/** The tool actor of speech `speechId` in the chain, if the caller runs under one. */
export function enclosingToolOf(actor: Actor | undefined, speechId: string): Actor | undefined {
  return actorChain(actor).find((a) => a.kind === 'tool' && a.speechId === speechId);
}
