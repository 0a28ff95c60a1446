import { z } from 'zod';
import type { SessionEventName } from '../runtime/events/types.js';
import { formatDuration, parseDuration } from './duration.js';
import { EVENT_NAMES, isEventName } from './event-names.js';
import { LIMITS } from './limits.js';
import {
  compileMatcher,
  describeWhere,
  type Matcher,
  type MatcherIssue,
  parseRegexLiteral,
  type Where,
} from './matchers.js';

/** Building blocks shared by the user timeline and the expectations. */

function show(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
}

/** `1200ms`, `1.2s` or a number of milliseconds; parsed to milliseconds. */
export const duration = z
  .custom<number | string>((v) => typeof v === 'number' || typeof v === 'string', {
    error: 'expected a duration like 300ms or 1.2s',
  })
  .transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === null) {
      ctx.issues.push({
        code: 'custom',
        message: `expected a duration like 300ms or 1.2s, got ${show(v)}`,
        input: v,
      });
      return z.NEVER;
    }
    if (ms > LIMITS.durationMs) {
      ctx.issues.push({
        code: 'custom',
        message: `${show(v)} is over the limit of ${formatDuration(LIMITS.durationMs)} for any duration`,
        input: v,
      });
      return z.NEVER;
    }
    return ms;
  });

/** A whole number from `min` to `max`, with the range in the message. */
export function boundedInt(min: number, max: number) {
  return z
    .number({ error: `expected a whole number from ${min} to ${max}` })
    .int({ error: `expected a whole number from ${min} to ${max}` })
    .min(min, { error: `expected a whole number from ${min} to ${max}` })
    .max(max, { error: `expected a whole number from ${min} to ${max}` });
}

/** A list of at most `LIMITS.listItems` items. */
export function boundedList<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .max(LIMITS.listItems, { error: `more than ${LIMITS.listItems} items: split the session` });
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/**
 * "did you mean" for a misspelt name, only when one candidate is clearly close, and never
 * the name itself (a known name in the wrong place is not a misspelling).
 */
export function suggest(name: string, candidates: readonly string[]): string {
  let best: string | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c === name) continue;
    const d = editDistance(name, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== null && bestD <= Math.max(2, Math.floor(name.length / 3))
    ? ` (did you mean "${best}"?)`
    : '';
}

export const eventName = z
  .string({ error: 'expected an event name such as speech.done' })
  .transform((v, ctx): SessionEventName => {
    if (isEventName(v)) return v;
    ctx.issues.push({
      code: 'custom',
      message: `unknown event "${v}"${suggest(v, EVENT_NAMES)}`,
      input: v,
    });
    return z.NEVER;
  });

/** A field matcher (see matchers.ts), compiled once at load. */
export const matcher = z.unknown().transform((v, ctx): Matcher => {
  const issues: MatcherIssue[] = [];
  const m = compileMatcher(v, issues);
  if (issues.length === 0) return m;
  for (const i of issues)
    ctx.issues.push({ code: 'custom', message: i.message, path: i.path, input: v });
  return z.NEVER;
});

/** `where: { field: matcher, ... }` */
export const where = z
  .record(z.string(), matcher)
  .check((ctx) => {
    for (const key of Object.keys(ctx.value)) {
      if (FIELD_PATH.test(key)) continue;
      // Usually `{ text: Hello, world }`: YAML splits an unquoted value at the comma.
      ctx.issues.push({
        code: 'custom',
        message: `"${key}" is not an event field; if it is part of a text with a comma, quote the text`,
        path: [key],
        input: ctx.value,
      });
    }
  })
  .transform((w): Where => w);

const FIELD_PATH = /^[A-Za-z_]\w*(\.\w+)*$/;

/** An id that other parts of the file refer to. */
export const refId = z
  .string()
  .regex(/^[A-Za-z_][\w-]*$/, { error: 'ids are letters, digits, _ and - (e.g. first-reply)' });

/**
 * A point in time during the run, the anchor of `after:` and `within.of:`.
 * - the nth event of a name (optionally matching `where`, optionally counted only
 *   `since` a step: `previous` or a step id);
 * - a script step (`edge: start | end`);
 * - (expectations only) the event matched by an earlier expectation (`match: id`).
 */
export type PointRef =
  | {
      kind: 'event';
      event: SessionEventName;
      nth: number;
      where: Where | undefined;
      since: string | null;
    }
  | { kind: 'step'; step: string; edge: 'start' | 'end' }
  | { kind: 'match'; match: string };

const pointFields = {
  event: eventName.optional(),
  nth: boundedInt(1, LIMITS.nth).optional(),
  where: where.optional(),
  since: refId.optional(),
  step: refId.optional(),
  edge: z.enum(['start', 'end']).optional(),
  match: refId.optional(),
};

type PointInput = {
  event?: SessionEventName | undefined;
  nth?: number | undefined;
  where?: Where | undefined;
  since?: string | undefined;
  step?: string | undefined;
  edge?: 'start' | 'end' | undefined;
  match?: string | undefined;
};

type AddIssue = (message: string, path: (string | number)[]) => void;

/** Turns the flat form into a PointRef, checking that exactly one anchor kind is given. */
export function toPointRef(p: PointInput, allowMatch: boolean, add: AddIssue): PointRef | null {
  const kinds = (['event', 'step', 'match'] as const).filter((k) => p[k] !== undefined);
  if (!allowMatch && p.match !== undefined) add('`match` is only allowed in expectations', []);
  if (kinds.length !== 1) {
    add(`give exactly one of event, step${allowMatch ? ', match' : ''}`, []);
    return null;
  }
  const eventOnly = ['nth', 'where', 'since'] as const;
  if (p.event === undefined) {
    for (const k of eventOnly) if (p[k] !== undefined) add(`\`${k}\` only goes with event`, [k]);
  }
  if (p.step === undefined && p.edge !== undefined) add('`edge` only goes with step', ['edge']);
  if (p.event !== undefined) {
    return {
      kind: 'event',
      event: p.event,
      nth: p.nth ?? 1,
      where: p.where,
      since: p.since ?? null,
    };
  }
  if (p.step !== undefined) return { kind: 'step', step: p.step, edge: p.edge ?? 'end' };
  return { kind: 'match', match: p.match! };
}

/** `after:` of a user step: an event name, or an object with an anchor and an `offset`. */
export const anchor = z
  .union([eventName, z.strictObject({ ...pointFields, offset: duration.optional() })])
  .transform((raw, ctx): { ref: PointRef; offsetMs: number } => {
    if (typeof raw === 'string') {
      return {
        ref: { kind: 'event', event: raw, nth: 1, where: undefined, since: null },
        offsetMs: 0,
      };
    }
    const add: AddIssue = (message, path) =>
      ctx.issues.push({ code: 'custom', message, path, input: raw });
    const ref = toPointRef(raw, false, add);
    return ref ? { ref, offsetMs: raw.offset ?? 0 } : z.NEVER;
  });

/** `of:` of a timing window; the same as `after:` plus `match: <expectation id>`. */
export const pointRef = z
  .union([eventName, z.strictObject(pointFields)])
  .transform((raw, ctx): PointRef => {
    if (typeof raw === 'string') {
      return { kind: 'event', event: raw, nth: 1, where: undefined, since: null };
    }
    const add: AddIssue = (message, path) =>
      ctx.issues.push({ code: 'custom', message, path, input: raw });
    return toPointRef(raw, true, add) ?? z.NEVER;
  });

export function describePoint(ref: PointRef): string {
  switch (ref.kind) {
    case 'event': {
      const nth = ref.nth === 1 ? '' : ` #${ref.nth}`;
      const since = ref.since ? ` since ${ref.since}` : '';
      return `${ref.event}${describeWhere(ref.where)}${nth}${since}`;
    }
    case 'step':
      return `${ref.edge} of step ${ref.step}`;
    case 'match':
      return `the event matched by ${ref.match}`;
  }
}

/** A string the input must contain, or a `/regex/flags` (the `when:` of scripted models). */
export const textOrRegex = z.string().check((ctx) => {
  const re = parseRegexLiteral(ctx.value);
  if (re && !(re instanceof RegExp)) {
    ctx.issues.push({ code: 'custom', message: re.message, input: ctx.value });
  }
});

/** The tool calls a scripted model makes. */
export const toolCallSpecs = z.array(
  z.strictObject({
    name: z.string(),
    arguments: z
      .union([z.string(), z.record(z.string(), z.unknown())], {
        error: 'expected an object of arguments or a JSON string',
      })
      .optional(),
    id: z.string().optional(),
  }),
);
