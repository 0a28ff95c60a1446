import type { Clock } from '../clock/clock.js';
import { type Actor, actorChain } from './actor.js';
import { DeadlockError } from './errors.js';

interface OpenWait {
  readonly waiter: string;
  readonly target: string;
  readonly what: string;
  readonly since: number;
}

/**
 * Every runtime wait goes through here. It records who waits on what since when (the
 * wait-for graph), rejects at once a wait that would close a cycle (contract C4), and can
 * list the open waits for a deadlock report (contract C10) or a debug dump.
 */
export class Waits {
  readonly #clock: Clock;
  readonly #open = new Map<number, OpenWait>();
  #nextId = 0;
  #onChange: (() => void) | undefined;

  constructor(clock: Clock, onChange?: () => void) {
    this.#clock = clock;
    this.#onChange = onChange;
  }

  /**
   * Waits on `promise` as `waiter`. `targetChain` is the target followed by what it itself
   * depends on (e.g. `session idle → speech_3`); if the waiter's own chain of owners
   * meets it, the wait could never end and is rejected with the cycle named.
   */
  /** Throws the DeadlockError a `track()` of this wait would reject with. */
  check(waiter: Actor | undefined, targetChain: readonly string[]): void {
    const cycle = findCycle(waiter, targetChain);
    if (cycle) throw new DeadlockError(cycle);
  }

  track<T>(
    waiter: Actor | undefined,
    targetChain: readonly string[],
    what: string,
    promise: Promise<T>,
  ): Promise<T> {
    const cycle = findCycle(waiter, targetChain);
    if (cycle) return Promise.reject(new DeadlockError(cycle));
    const id = this.#nextId++;
    this.#onChange?.();
    this.#open.set(id, {
      waiter: waiter?.label ?? 'external',
      target: targetChain[0] ?? '?',
      what,
      since: this.#clock.now(),
    });
    const done = () => {
      this.#open.delete(id);
      this.#onChange?.();
    };
    promise.then(done, done);
    return promise;
  }

  /** What `waiter` is currently blocked on (target labels). */
  targetsOf(waiter: string): string[] {
    const out: string[] = [];
    for (const w of this.#open.values()) if (w.waiter === waiter) out.push(w.target);
    return out;
  }

  get size(): number {
    return this.#open.size;
  }

  /** "tool get_programs (fc_1) waits for task result of CollectAgeGender (task_1), 340 ms". */
  describe(): string[] {
    const now = this.#clock.now();
    return [...this.#open.values()].map(
      (w) => `${w.waiter} waits for ${w.what} of ${w.target}, ${Math.round(now - w.since)} ms`,
    );
  }

  /** A cycle among the open waits, if there is one (waiter → target edges). */
  findOpenCycle(): string[] | undefined {
    const edges = new Map<string, string[]>();
    for (const w of this.#open.values()) {
      const list = edges.get(w.waiter) ?? [];
      list.push(w.target);
      edges.set(w.waiter, list);
    }
    const visiting = new Set<string>();
    const path: string[] = [];
    const visit = (node: string): string[] | undefined => {
      if (visiting.has(node)) return [...path.slice(path.indexOf(node)), node];
      visiting.add(node);
      path.push(node);
      for (const next of edges.get(node) ?? []) {
        const found = visit(next);
        if (found) return found;
      }
      path.pop();
      visiting.delete(node);
      return undefined;
    };
    for (const node of edges.keys()) {
      const found = visit(node);
      if (found) return found;
    }
    return undefined;
  }
}

/**
 * The waiter's owners (itself, its speech, the task that speech belongs to, the tool that
 * awaits that task…) cannot finish before the waiter does. If the target chain reaches one
 * of them, waiting would be circular: return the cycle, waiter first.
 */
function findCycle(
  waiter: Actor | undefined,
  targetChain: readonly string[],
): string[] | undefined {
  if (!waiter) return undefined;
  const owners = actorChain(waiter).map((a) => a.label);
  for (let i = 0; i < targetChain.length; i++) {
    const node = targetChain[i]!;
    const ownerIndex = owners.indexOf(node);
    if (ownerIndex >= 0) {
      // waiter → target chain up to the owner → back down the owner chain to the waiter.
      const down = owners.slice(0, ownerIndex).reverse();
      return [waiter.label, ...targetChain.slice(0, i + 1), ...down];
    }
  }
  return undefined;
}
