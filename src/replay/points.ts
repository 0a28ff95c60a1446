import type { SessionEvent } from '../runtime/events/types.js';
import { type RefLookup, whereMatches } from './matchers.js';
import type { PointRef } from './schema-common.js';
import type { StepRecord } from './types.js';

/**
 * Finding the moment a PointRef names, in a finished event list (expectations) or in a
 * stream still being produced (the user timeline driver, which calls `eventCounts`).
 */

export interface PointContext {
  events: readonly SessionEvent[];
  steps: readonly StepRecord[];
  /** Events matched by expectations so far, by expectation id. */
  matched?: ReadonlyMap<string, SessionEvent>;
  lookup?: RefLookup;
}

export type ResolvedPoint =
  | { found: true; t: number; event: SessionEvent | null }
  | { found: false; why: string };

export function stepById(steps: readonly StepRecord[], id: string): StepRecord | undefined {
  return steps.find((s) => s.id === id);
}

/** The `seq` after which `since` starts counting (-1 = from the start). */
export function sinceSeq(
  ref: PointRef,
  steps: readonly StepRecord[],
  previous?: StepRecord,
): number {
  if (ref.kind !== 'event' || ref.since === null) return -1;
  const step = ref.since === 'previous' ? previous : stepById(steps, ref.since);
  return step?.seqBefore ?? -1;
}

/** Whether `event` counts towards `ref` (its type, `where`, and after `since`). */
export function countsFor(
  ref: PointRef,
  event: SessionEvent,
  afterSeq: number,
  lookup?: RefLookup,
): boolean {
  return (
    ref.kind === 'event' &&
    event.type === ref.event &&
    event.seq > afterSeq &&
    whereMatches(ref.where, event, lookup)
  );
}

export function resolvePoint(ref: PointRef, ctx: PointContext): ResolvedPoint {
  switch (ref.kind) {
    case 'event': {
      const after = sinceSeq(ref, ctx.steps);
      let n = 0;
      for (const e of ctx.events) {
        if (countsFor(ref, e, after, ctx.lookup) && ++n === ref.nth) {
          return { found: true, t: e.t, event: e };
        }
      }
      return { found: false, why: n === 0 ? 'it never happened' : `it happened only ${n} time(s)` };
    }
    case 'step': {
      const step = stepById(ctx.steps, ref.step);
      const t = ref.edge === 'start' ? step?.startedAt : step?.endedAt;
      return t === null || t === undefined
        ? { found: false, why: `step ${ref.step} never ran` }
        : { found: true, t, event: null };
    }
    case 'match': {
      const e = ctx.matched?.get(ref.match);
      return e
        ? { found: true, t: e.t, event: e }
        : { found: false, why: `expectation ${ref.match} did not match` };
    }
  }
}
