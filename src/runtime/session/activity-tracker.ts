import type { Clock } from '../clock/clock.js';
import type { Actor } from '../core/actor.js';
import type { Waits } from '../core/waits.js';
import type { SpeechState } from '../events/types.js';

/** What the tracker needs to know about a speech. */
export interface TrackedSpeech {
  readonly id: string;
  readonly state: SpeechState | 'new';
}

/**
 * Knows what runtime work is in flight: live speeches, running tools and hooks, a user turn
 * being detected. "Idle" means nothing can move without the user: every running tool or
 * hook is parked on a task (which waits for the user) or on a speech that is itself only
 * waiting for such tools. `session.run()` and replays wait for idle; the deadlock probe
 * reports work that is not idle and cannot advance.
 */
export class ActivityTracker {
  readonly #clock: Clock;
  readonly #waits: Waits;
  readonly #speeches = new Set<TrackedSpeech>();
  readonly #tools = new Set<Actor>();
  readonly #hooks = new Set<Actor>();
  readonly #idleWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  #userBusy: () => boolean = () => false;
  #checkScheduled = false;

  constructor(clock: Clock, waits: Waits) {
    this.#clock = clock;
    this.#waits = waits;
  }

  setUserBusy(fn: () => boolean): void {
    this.#userBusy = fn;
  }

  speechStarted(speech: TrackedSpeech): void {
    this.#speeches.add(speech);
    this.changed();
  }

  speechEnded(speech: TrackedSpeech): void {
    this.#speeches.delete(speech);
    this.changed();
  }

  toolStarted(actor: Actor): () => void {
    return this.#track(this.#tools, actor);
  }

  hookStarted(actor: Actor): () => void {
    return this.#track(this.#hooks, actor);
  }

  get liveSpeeches(): TrackedSpeech[] {
    return [...this.#speeches];
  }

  /** Labels of everything in flight that is not parked (used to name idle-wait cycles). */
  busyLabels(): string[] {
    const labels = [...this.#speeches].filter((s) => s.state !== 'awaiting_tools').map((s) => s.id);
    for (const actor of [...this.#tools, ...this.#hooks]) {
      if (!this.#parked(actor.label, 0)) labels.push(actor.label);
    }
    return labels;
  }

  /**
   * What a wait for idle depends on, as a wait-for chain: every speech still owed (including
   * those only waiting for their tools) and every tool or hook not parked. A waiter among
   * these (or owned by one) would wait on itself.
   */
  idleChain(): string[] {
    const awaiting = [...this.#speeches]
      .filter((s) => s.state === 'awaiting_tools')
      .map((s) => s.id);
    return ['session idle', ...this.busyLabels(), ...awaiting];
  }

  isIdle(): boolean {
    if (this.#userBusy()) return false;
    for (const s of this.#speeches) {
      if (s.state === 'awaiting_tools') continue;
      // A reply still waiting for its turn hook, which itself waits for the user.
      if (s.state === 'queued' && this.#parked(s.id, 0)) continue;
      return false;
    }
    for (const actor of [...this.#tools, ...this.#hooks]) {
      if (!this.#parked(actor.label, 0)) return false;
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
    if (this.#checkScheduled || this.#idleWaiters.length === 0) return;
    this.#checkScheduled = true;
    this.#clock.timer(0, () => {
      this.#checkScheduled = false;
      if (!this.isIdle()) return;
      for (const waiter of this.#idleWaiters.splice(0)) waiter.resolve();
    });
  }

  #track(set: Set<Actor>, actor: Actor): () => void {
    set.add(actor);
    this.changed();
    return () => {
      set.delete(actor);
      this.changed();
    };
  }

  #parked(label: string, depth: number): boolean {
    if (depth > 16) return false;
    for (const target of this.#waits.targetsOf(label)) {
      if (target.startsWith('task ')) return true;
      const actor = [...this.#hooks, ...this.#tools].find((a) => a.label === target);
      if (actor && this.#parked(target, depth + 1)) return true;
      const speech = [...this.#speeches].find((s) => s.id === target);
      if (speech && speech.state === 'awaiting_tools') {
        const tools = [...this.#tools].filter((t) => t.speechId === speech.id);
        if (tools.every((t) => this.#parked(t.label, depth + 1))) return true;
      }
    }
    return false;
  }
}
