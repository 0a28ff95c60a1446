import type { Clock } from '../clock/clock.js';
import type { Actor, WaitNode } from '../core/actor.js';
import { Waits } from '../core/waits.js';
import type { SpeechState } from '../events/types.js';
import { isAwaitingTools, isWaiting } from '../speech/speech-state.js';

/** What the tracker needs to know about a speech. */
export interface TrackedSpeech {
  readonly id: string;
  /** The speech's node in the wait-for graph. */
  readonly actor: Actor;
  readonly state: SpeechState | 'new';
}

const IDLE: WaitNode = { kind: 'idle', label: 'session idle' };

/**
 * Knows what runtime work is in flight: live speeches, running tools and hooks, a user turn
 * being detected. "Idle" means nothing can move without the user: every running tool or
 * hook is parked on a task (which waits for the user) or on a speech that is itself only
 * waiting for such tools. `session.run()` and replays wait for idle; the deadlock probe
 * reports work that is not idle and cannot advance. It owns the session's wait-for graph.
 */
export class ActivityTracker {
  readonly waits: Waits;
  readonly #clock: Clock;
  readonly #speeches = new Set<TrackedSpeech>();
  /** Running tools, each with whether it went to the background (the agent listens meanwhile). */
  readonly #tools = new Map<Actor, () => boolean>();
  readonly #hooks = new Set<Actor>();
  readonly #idleWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  readonly #listeners = new Set<() => void>();
  #userBusy: () => boolean = () => false;
  #checkScheduled = false;

  constructor(clock: Clock) {
    this.#clock = clock;
    // Only waits of runtime work (tools, hooks, speech) can park it; outside waiters cannot.
    this.waits = new Waits(clock, (waiter) => {
      if (waiter) this.changed();
    });
  }

  setUserBusy(fn: () => boolean): void {
    this.#userBusy = fn;
  }

  /** Called (synchronously) whenever something in flight may have changed. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  speechStarted(speech: TrackedSpeech): void {
    this.#speeches.add(speech);
    this.changed();
  }

  speechEnded(speech: TrackedSpeech): void {
    this.#speeches.delete(speech);
    this.changed();
  }

  toolStarted(actor: Actor, background: () => boolean = () => false): () => void {
    this.#tools.set(actor, background);
    this.changed();
    return () => {
      this.#tools.delete(actor);
      this.changed();
    };
  }

  hookStarted(actor: Actor): () => void {
    this.#hooks.add(actor);
    this.changed();
    return () => {
      this.#hooks.delete(actor);
      this.changed();
    };
  }

  /**
   * A tool runs in the foreground and is not parked on the user: the agent is working on
   * the turn, not listening.
   */
  hasWorkingTools(): boolean {
    for (const [tool, background] of this.#tools) {
      if (!background() && !this.#parked(tool, 0)) return true;
    }
    return false;
  }

  get toolsInFlight(): number {
    return this.#tools.size;
  }

  /** Labels of everything in flight that is not parked (used to name idle-wait cycles). */
  busyLabels(): string[] {
    return this.#busyNodes().map((n) => n.label);
  }

  /**
   * What a wait for idle depends on, as a wait-for chain: every speech still owed (including
   * those only waiting for their tools) and every tool or hook not parked. A waiter among
   * these (or owned by one) would wait on itself.
   */
  idleChain(): WaitNode[] {
    const awaiting = [...this.#speeches]
      .filter((s) => isAwaitingTools(s.state))
      .map((s) => s.actor);
    return [IDLE, ...this.#busyNodes(), ...awaiting];
  }

  isIdle(): boolean {
    if (this.#userBusy()) return false;
    for (const s of this.#speeches) {
      if (isAwaitingTools(s.state)) continue;
      // A reply still waiting for its turn hook, which itself waits for the user.
      if (isWaiting(s.state) && this.#parked(s.actor, 0)) continue;
      return false;
    }
    for (const actor of [...this.#tools.keys(), ...this.#hooks]) {
      if (!this.#parked(actor, 0)) return false;
    }
    return true;
  }

  waitForIdle(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#idleWaiters.push({ resolve, reject });
      this.changed();
    });
  }

  /** A deadlock was found: idle will never come, so the waiters get the error instead. */
  failIdleWaiters(error: unknown): void {
    for (const waiter of this.#idleWaiters.splice(0)) waiter.reject(error);
  }

  /** Something moved: re-check idleness once the current burst of work has settled. */
  changed(): void {
    for (const listener of [...this.#listeners]) listener();
    if (this.#checkScheduled || this.#idleWaiters.length === 0) return;
    this.#checkScheduled = true;
    this.#clock.timer(0, () => {
      this.#checkScheduled = false;
      if (!this.isIdle()) return;
      for (const waiter of this.#idleWaiters.splice(0)) waiter.resolve();
    });
  }

  #busyNodes(): WaitNode[] {
    const nodes: WaitNode[] = [...this.#speeches]
      .filter((s) => !isAwaitingTools(s.state))
      .map((s) => s.actor);
    for (const actor of [...this.#tools.keys(), ...this.#hooks]) {
      if (!this.#parked(actor, 0)) nodes.push(actor);
    }
    return nodes;
  }

  /** `node` waits, directly or through parked tools and hooks, for a task (the user). */
  #parked(node: WaitNode, depth: number): boolean {
    if (depth > 16) return false;
    for (const target of this.waits.targetsOf(node)) {
      if (target.kind === 'task') return true;
      if ((target.kind === 'hook' || target.kind === 'tool') && this.#parked(target, depth + 1))
        return true;
      if (target.kind === 'speech') {
        const speech = [...this.#speeches].find((s) => s.actor === target);
        if (speech && isAwaitingTools(speech.state)) {
          const tools = [...this.#tools.keys()].filter((t) => t.parent === target);
          if (tools.every((t) => this.#parked(t, depth + 1))) return true;
        }
      }
    }
    return false;
  }
}
