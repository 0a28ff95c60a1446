import { z } from 'zod';
import type { SessionEventName } from '../runtime/events/types.js';
import { LIMITS } from './limits.js';
import type { Matcher, Where } from './matchers.js';
import { boundedInt, boundedList, eventName, matcher, where } from './schema-common.js';
import { type ListExpectation, listOf } from './schema-expect.js';

/**
 * Two expectations added for LiveKit's scenarios: `requests` (what each model request
 * offered and asked, e.g. that the request made in `onEnter` lacks a tool) and `counts`
 * (exactly N events of a kind, or a range).
 */

/** The tools of a request: exactly these names (any order), or some present and some absent. */
export type ToolsMatcher =
  | { kind: 'exactly'; names: string[] }
  | { kind: 'some'; includes: string[]; excludes: string[] };

export interface RequestItem {
  agent?: Matcher;
  tools?: ToolsMatcher;
  toolChoice?: Matcher;
  input?: Matcher;
  toolResult?: Matcher;
  instructions?: Matcher;
  speculative?: boolean;
}

export interface CountExpectation {
  index: number;
  event: SessionEventName;
  where: Where | undefined;
  min: number;
  max: number;
  description: string | null;
}

const names = boundedList(z.string());

const toolsMatcher = z
  .union(
    [
      names,
      z
        .strictObject({ includes: names.optional(), excludes: names.optional() })
        .refine((v) => v.includes !== undefined || v.excludes !== undefined, {
          error: 'give `includes`, `excludes` or both',
        }),
    ],
    { error: 'expected a list of tool names, or { includes, excludes }' },
  )
  .transform(
    (raw): ToolsMatcher =>
      Array.isArray(raw)
        ? { kind: 'exactly', names: raw }
        : { kind: 'some', includes: raw.includes ?? [], excludes: raw.excludes ?? [] },
  );

const requestItem = z.strictObject({
  agent: matcher.optional(),
  tools: toolsMatcher.optional(),
  toolChoice: matcher.optional(),
  input: matcher.optional(),
  toolResult: matcher.optional(),
  instructions: matcher.optional(),
  speculative: z.boolean().optional(),
});

export const requestsExpectation = listOf(requestItem).transform(
  (list): ListExpectation<RequestItem> => list as ListExpectation<RequestItem>,
);

const count = boundedInt(0, LIMITS.nth);

const countExpectation = z
  .strictObject({
    event: eventName,
    where: where.optional(),
    count: z.union([count, z.strictObject({ min: count.optional(), max: count.optional() })], {
      error: 'expected a whole number, or { min, max }',
    }),
    description: z.string().optional(),
  })
  .transform((raw, ctx): Omit<CountExpectation, 'index'> => {
    const exact = typeof raw.count === 'number';
    const min = exact ? (raw.count as number) : ((raw.count as { min?: number }).min ?? 0);
    const max = exact
      ? (raw.count as number)
      : ((raw.count as { max?: number }).max ?? Number.POSITIVE_INFINITY);
    if (min > max) {
      ctx.issues.push({
        code: 'custom',
        message: `min ${min} is above max ${max}`,
        path: ['count'],
        input: raw,
      });
    }
    return { event: raw.event, where: raw.where, min, max, description: raw.description ?? null };
  });

export const countsExpectation = boundedList(countExpectation).transform(
  (list): CountExpectation[] => list.map((c, index) => ({ ...c, index })),
);
