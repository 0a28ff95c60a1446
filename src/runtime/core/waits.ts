import type { Clock } from '../clock/clock.js';
import { type Actor, actorChain, type WaitNode } from './actor.js';
import { DeadlockError } from './errors.js';

interface OpenWait {
  readonly waiter: WaitNode | undefined;
  readonly target: WaitNode;
  readonly what: string;
  readonly since: number;
}

/** The node a wait outside any actor (test code, the console) is drawn as. */
const EXTERNAL = 'external';

/**
 * Every runtime wait goes through here. It records who waits on what since when (the
 * wait-for graph, nodes compared by identity), rejects at once a wait that would close a
 * cycle (contract C4), and lists the open waits for a deadlock report (contract C10) or a
 * debug dump.
 */
export class Waits {
  readonly #clock: Clock;
  readonly #open = new Set<OpenWait>();
  readonly #onChange: (waiter: WaitNode | undefined) => void;

  /** `onChange` hears of every wait that starts or ends, with its waiter. */
  constructor(clock: Clock, onChange: (waiter: WaitNode | undefined) => void) {
    this.#clock = clock;
    this.#onChange = onChange;
  }

  /** Throws the DeadlockError that `track()` of this wait would reject with. */
  check(waiter: Actor | undefined, targetChain: readonly WaitNode[]): void {
    const cycle = findCycle(waiter, targetChain);
    if (cycle) throw new DeadlockError(cycle);
  }

  /**
   * Waits on `promise` as `waiter`. `targetChain` is the target followed by what it itself
   * depends on (e.g. `session idle → speech_3`); if the waiter's own chain of owners meets
   * it, the wait could never end and is rejected with the cycle named.
   */
  track<T>(
    waiter: Actor | undefined,
    targetChain: readonly WaitNode[],
    what: string,
    promise: Promise<T>,
  ): Promise<T> {
    const cycle = findCycle(waiter, targetChain);
    if (cycle) return Promise.reject(new DeadlockError(cycle));
    const target = targetChain[0];
    if (!target) return promise;
    const wait: OpenWait = { waiter, target, what, since: this.#clock.now() };
    this.#open.add(wait);
    this.#onChange(waiter);
    const done = () => {
      this.#open.delete(wait);
      this.#onChange(waiter);
    };
    promise.then(done, done);
    return promise;
  }

  /** What `waiter` is currently blocked on. */
  targetsOf(waiter: WaitNode): WaitNode[] {
    const out: WaitNode[] = [];
    for (const w of this.#open) if (w.waiter === waiter) out.push(w.target);
    return out;
  }

  get size(): number {
    return this.#open.size;
  }

  /** "tool get_programs (fc_1) waits for result of task CollectAgeGender (task_1), 340 ms". */
  describe(): string[] {
    const now = this.#clock.now();
    return [...this.#open].map(
      (w) =>
        `${w.waiter?.label ?? EXTERNAL} waits for ${w.what} of ${w.target.label}, ${Math.round(now - w.since)} ms`,
    );
  }

  /** A cycle among the open waits (waiter → target edges), as labels, if there is one. */
  findOpenCycle(): string[] | undefined {
    const edges = new Map<WaitNode, WaitNode[]>();
    for (const w of this.#open) {
      if (!w.waiter) continue;
      const list = edges.get(w.waiter) ?? [];
      list.push(w.target);
      edges.set(w.waiter, list);
    }
    const visiting = new Set<WaitNode>();
    const path: WaitNode[] = [];
    const visit = (node: WaitNode): WaitNode[] | undefined => {
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
      if (found) return found.map((n) => n.label);
    }
    return undefined;
  }
}

/**
 * The waiter's owners (itself, its speech, the task that speech belongs to, the tool that
 * awaits that task…) cannot finish before the waiter does. If the target chain reaches one
 * of them, waiting would be circular: return the cycle, waiter first, as labels.
 */
function findCycle(
  waiter: Actor | undefined,
  targetChain: readonly WaitNode[],
): string[] | undefined {
  if (!waiter) return undefined;
  const owners: WaitNode[] = actorChain(waiter);
  for (let i = 0; i < targetChain.length; i++) {
    const ownerIndex = owners.indexOf(targetChain[i]!);
    if (ownerIndex >= 0) {
      // waiter → target chain up to the owner → back down the owner chain to the waiter.
      const down = owners.slice(0, ownerIndex).reverse();
      return [waiter, ...targetChain.slice(0, i + 1), ...down].map((n) => n.label);
    }
  }
  return undefined;
}
