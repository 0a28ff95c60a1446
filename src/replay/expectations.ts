import type { SessionEvent } from '../runtime/events/types.js';
import { formatDuration } from './duration.js';
import { evaluateAudio, evaluateHistory, type PendingJudgement } from './expect-lists.js';
import { evaluateLatency } from './latency.js';
import { describeWhere, fieldValue, type RefLookup, whereMatches } from './matchers.js';
import { type AudioPlayRecord, audioFromEvents } from './observed.js';
import { type PointContext, resolvePoint } from './points.js';
import { evaluateCounts, evaluateRequests } from './probes.js';
import type { RequestRecord } from './request-log.js';
import { describePoint } from './schema-common.js';
import type { EventExpectation, Expectations } from './schema-expect.js';
import type { ExpectationResult, StepRecord } from './types.js';

/**
 * Evaluating `expect:` against a finished run. Pure: a list of events and step records in,
 * one result per expectation out, so it is tested on synthetic event lists.
 */

export interface EvaluationInput {
  events: readonly SessionEvent[];
  steps: readonly StepRecord[];
  /** What reached the audio output; derived from the events when not given. */
  audio?: readonly AudioPlayRecord[];
  /** The model requests of the run (for `expect.requests`). */
  requests?: readonly RequestRecord[];
}

export interface EventsEvaluation {
  results: ExpectationResult[];
  /** Events matched by expectations, by expectation index (for the default checks). */
  matchedSeqs: Set<number>;
  matchedById: Map<string, SessionEvent>;
}

export function evaluateExpectations(
  expect: Expectations,
  input: EvaluationInput,
): {
  results: ExpectationResult[];
  matchedSeqs: Set<number>;
  /** Judged history items, for the caller to ask the judge about. */
  judge: PendingJudgement[];
} {
  const ev = evaluateEvents(expect.events, input);
  const results = [...ev.results];
  for (const never of expect.never) {
    const hit = input.events.find(
      (e) => e.type === never.event && whereMatches(never.where, e, lookupIn(ev.matchedById)),
    );
    results.push({
      description: `never ${never.event}${describeWhere(never.where)}`,
      passed: !hit,
      detail: hit ? `happened: ${summarize(hit, never.where)}` : 'did not happen',
      path: `expect.never[${never.index}]`,
    });
  }
  let judge: PendingJudgement[] = [];
  if (expect.history) {
    const history = evaluateHistory(expect.history, input.events);
    results.push({ ...history.result, path: 'expect.history' });
    judge = history.judge;
  }
  if (expect.audio) {
    const audio = input.audio ?? audioFromEvents(input.events);
    results.push({
      ...evaluateAudio(expect.audio, audio, ev.matchedById),
      path: 'expect.audio',
    });
  }
  results.push(...evaluateLatency(expect.latency, input.events));
  if (expect.requests) results.push(evaluateRequests(expect.requests, input.requests ?? []));
  results.push(...evaluateCounts(expect.counts, input.events));
  return { results, matchedSeqs: ev.matchedSeqs, judge };
}

function lookupIn(matched: ReadonlyMap<string, SessionEvent>): RefLookup {
  return (ref) => {
    const dot = ref.indexOf('.');
    const e = matched.get(ref.slice(0, dot));
    return e
      ? { found: true, value: fieldValue(e, ref.slice(dot + 1)) }
      : { found: false, value: undefined };
  };
}

export function describeEventExpectation(exp: EventExpectation): string {
  if (exp.description) return exp.description;
  let d = `${exp.event}${describeWhere(exp.where)}`;
  if (exp.within) {
    const of = exp.within.of ? describePoint(exp.within.of) : 'the previous expected event';
    d += ` within ${formatDuration(exp.within.ms)} of ${of}`;
  }
  if (exp.at) d += ` at ${describeWindow(exp.at.min, exp.at.max)}`;
  return d;
}

function describeWindow(min: number | null, max: number | null): string {
  if (min !== null && min === max) return formatDuration(min);
  if (min !== null && max !== null) return `${formatDuration(min)}..${formatDuration(max)}`;
  return min !== null ? `>= ${formatDuration(min)}` : `<= ${formatDuration(max ?? 0)}`;
}

/** Missing events explained in detail; later misses get a short line. */
const MAX_EXPLAINED_MISSES = 20;

/** Expected events must appear in this order (other events may come between them). */
export function evaluateEvents(
  list: readonly EventExpectation[],
  input: EvaluationInput,
): EventsEvaluation {
  const results: ExpectationResult[] = [];
  const matchedSeqs = new Set<number>();
  const matchedById = new Map<string, SessionEvent>();
  const lookup = lookupIn(matchedById);
  const ctx: PointContext = {
    events: input.events,
    steps: input.steps,
    matched: matchedById,
    lookup,
  };
  let cursor = 0;
  let previous: SessionEvent | null = null;
  let explained = 0;
  const byType = new EventsByType(input.events);
  for (const exp of list) {
    const description = describeEventExpectation(exp);
    const fits = (e: SessionEvent) => e.type === exp.event && whereMatches(exp.where, e, lookup);
    const index = byType.find(exp.event, cursor, fits);
    if (index < 0) {
      // Explaining scans the whole run: a long session with thousands of misses stays linear.
      const detail =
        explained++ < MAX_EXPLAINED_MISSES
          ? explainMissing(exp, input.events, cursor, fits, matchedSeqs)
          : `expected after seq ${cursor - 1}; not found`;
      results.push({ description, passed: false, detail, path: `expect.events[${exp.index}]` });
      continue;
    }
    const hit = input.events[index]!;
    cursor = index + 1;
    matchedSeqs.add(hit.seq);
    if (exp.id !== null) matchedById.set(exp.id, hit);
    const timing = checkTiming(exp, hit, previous, ctx);
    previous = hit;
    results.push({
      description,
      passed: timing === null,
      detail: timing ?? `seen at ${hit.t}ms (seq ${hit.seq})`,
      path: `expect.events[${exp.index}]`,
    });
  }
  return { results, matchedSeqs, matchedById };
}

/** Positions of the events of each name, so a search only visits events of its name. */
class EventsByType {
  readonly #positions = new Map<string, number[]>();
  readonly #events: readonly SessionEvent[];

  constructor(events: readonly SessionEvent[]) {
    this.#events = events;
    events.forEach((e, i) => {
      const list = this.#positions.get(e.type) ?? [];
      list.push(i);
      this.#positions.set(e.type, list);
    });
  }

  /** Position of the first event named `type` at or after `from` that fits, or -1. */
  find(type: string, from: number, fits: (e: SessionEvent) => boolean): number {
    const list = this.#positions.get(type) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < list.length; i++) if (fits(this.#events[list[i]!]!)) return list[i]!;
    return -1;
  }
}

function _indexFrom<T>(list: readonly T[], from: number, fits: (item: T) => boolean): number {
  for (let i = from; i < list.length; i++) if (fits(list[i]!)) return i;
  return -1;
}

/** null when the event is inside its windows, else what went wrong. */
function checkTiming(
  exp: EventExpectation,
  hit: SessionEvent,
  previous: SessionEvent | null,
  ctx: PointContext,
): string | null {
  if (exp.at) {
    const { min, max } = exp.at;
    if ((min !== null && hit.t < min) || (max !== null && hit.t > max)) {
      return `expected at ${describeWindow(min, max)}; happened at ${hit.t}ms (seq ${hit.seq})`;
    }
  }
  if (exp.within) {
    let refT: number;
    let refName: string;
    if (exp.within.of === null) {
      if (!previous)
        return 'expected within a window of the previous expected event, but there is none';
      refT = previous.t;
      refName = `${previous.type} at ${previous.t}ms`;
    } else {
      const point = resolvePoint(exp.within.of, ctx);
      if (!point.found)
        return `expected within ${exp.within.ms}ms of ${describePoint(exp.within.of)}, but ${point.why}`;
      refT = point.t;
      refName = `${describePoint(exp.within.of)} at ${point.t}ms`;
    }
    const delta = hit.t - refT;
    if (delta < 0 || delta > exp.within.ms) {
      const rel = delta < 0 ? `${-delta}ms before` : `${delta}ms after`;
      return `expected within ${exp.within.ms}ms after ${refName}; happened at ${hit.t}ms (${rel})`;
    }
  }
  return null;
}

function explainMissing(
  exp: EventExpectation,
  events: readonly SessionEvent[],
  cursor: number,
  fits: (e: SessionEvent) => boolean,
  used: ReadonlySet<number>,
): string {
  const after =
    cursor > 0 ? ` after ${events[cursor - 1]!.type} at ${events[cursor - 1]!.t}ms` : '';
  const early = events.slice(0, cursor).filter(fits);
  const free = early.find((e) => !used.has(e.seq));
  if (free) {
    return `expected${after}; a matching event happened earlier, out of order: ${summarize(free, exp.where)}`;
  }
  if (early.length > 0) {
    return `expected${after}; the only matching event (${summarize(early[0]!, exp.where)}) was already matched by an earlier expectation`;
  }
  const sameType = events.slice(cursor).filter((e) => e.type === exp.event);
  if (sameType.length === 0) return `expected${after}; no ${exp.event} event happened there`;
  const shown = sameType.slice(0, 3).map((e) => summarize(e, exp.where));
  const more = sameType.length > 3 ? ` (+${sameType.length - 3} more)` : '';
  return `expected${after}; happened instead: ${shown.join('; ')}${more}`;
}

/** `speech.done at 1520ms {reason: "completed"}`, showing the fields the matcher looked at. */
export function summarize(e: SessionEvent, where?: Record<string, unknown>): string {
  const fields = Object.keys(where ?? {});
  const shown = fields.map((f) => `${f}: ${JSON.stringify(fieldValue(e, f))}`);
  return `${e.type} at ${e.t}ms${shown.length ? ` {${shown.join(', ')}}` : ''}`;
}
