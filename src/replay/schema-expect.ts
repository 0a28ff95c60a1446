import { z } from 'zod';
import type { SessionEventName, SpeechEnd, SpeechSource } from '../runtime/events/types.js';
import { type LatencyExpectation, latencyExpectations } from './latency.js';
import type { Matcher, Where } from './matchers.js';
import {
  boundedList,
  duration,
  eventName,
  matcher,
  type PointRef,
  pointRef,
  refId,
  where,
} from './schema-common.js';
import {
  type CountExpectation,
  countsExpectation,
  type RequestItem,
  requestsExpectation,
} from './schema-probes.js';
import { type RealtimeExpectations, realtimeExpectations } from './schema-realtime.js';

/** The `expect:` section: what a run must show. */

export interface EventExpectation {
  index: number;
  id: string | null;
  description: string | null;
  event: SessionEventName;
  where: Where | undefined;
  /** `of: null` = relative to the event the previous expectation matched. */
  within: { of: PointRef | null; ms: number } | null;
  at: { min: number | null; max: number | null } | null;
}

export interface NeverExpectation {
  index: number;
  event: SessionEventName;
  where: Where | undefined;
}

export interface HistoryItem {
  kind?: 'message' | 'function_call' | 'function_call_output' | 'agent_handoff';
  role?: 'user' | 'assistant' | 'tool' | 'system' | 'handoff';
  text?: Matcher;
  interrupted?: boolean;
  /** The message this item matches must do what `intent` says, as a judge model sees it. */
  judge?: { intent: string };
}

export interface AudioItem {
  /** The id of an event expectation that matched an event of this speech. */
  speech?: string;
  /** Matched against everything the handle meant to say. */
  text?: Matcher;
  /** Matched against what was heard. */
  spoken?: Matcher;
  source?: SpeechSource;
  played?: 'full' | 'partial';
  playedMs?: Matcher;
  reason?: SpeechEnd;
}

/** `exact`: the whole list, in order; `includes`: these, in this order, among others. */
export interface ListExpectation<T> {
  mode: 'exact' | 'includes';
  items: T[];
  /** How the list is written (`list`: a bare list), for the path of an item. */
  written: 'list' | 'exact' | 'includes';
}

/** The path of item `i` of a list expectation at `base`, e.g. `expect.history.includes[1]`. */
export function listItemPath(base: string, list: ListExpectation<unknown>, i: number): string {
  return list.written === 'list' ? `${base}[${i}]` : `${base}.${list.written}[${i}]`;
}

export interface Expectations {
  events: EventExpectation[];
  never: NeverExpectation[];
  history: ListExpectation<HistoryItem> | null;
  audio: ListExpectation<AudioItem> | null;
  latency: LatencyExpectation[];
  /** What a scripted realtime model received (`models.realtime`). */
  realtime: RealtimeExpectations | null;
  /** The model requests, in order (schema-probes.ts). */
  requests: ListExpectation<RequestItem> | null;
  /** How many events of a kind there are. */
  counts: CountExpectation[];
  noDeadlock: boolean;
  noUnhandledError: boolean;
  noDroppedInput: boolean;
}

const eventExpectation = z
  .union([
    eventName,
    z.strictObject({
      event: eventName,
      where: where.optional(),
      within: z
        .union([duration, z.strictObject({ of: pointRef.optional(), ms: duration })])
        .optional(),
      at: z
        .union([duration, z.strictObject({ min: duration.optional(), max: duration.optional() })])
        .optional(),
      id: refId.optional(),
      description: z.string().optional(),
    }),
  ])
  .transform((raw): Omit<EventExpectation, 'index'> => {
    if (typeof raw === 'string') {
      return { id: null, description: null, event: raw, where: undefined, within: null, at: null };
    }
    const within =
      raw.within === undefined
        ? null
        : typeof raw.within === 'number'
          ? { of: null, ms: raw.within }
          : { of: raw.within.of ?? null, ms: raw.within.ms };
    const at =
      raw.at === undefined
        ? null
        : typeof raw.at === 'number'
          ? { min: raw.at, max: raw.at }
          : { min: raw.at.min ?? null, max: raw.at.max ?? null };
    return {
      id: raw.id ?? null,
      description: raw.description ?? null,
      event: raw.event,
      where: raw.where,
      within,
      at,
    };
  });

const neverExpectation = z
  .union([eventName, z.strictObject({ event: eventName, where: where.optional() })])
  .transform(
    (raw): Omit<NeverExpectation, 'index'> =>
      typeof raw === 'string'
        ? { event: raw, where: undefined }
        : { event: raw.event, where: raw.where },
  );

const historyItem = z
  .strictObject({
    kind: z.enum(['message', 'function_call', 'function_call_output', 'agent_handoff']).optional(),
    role: z.enum(['user', 'assistant', 'tool', 'system', 'handoff']).optional(),
    text: matcher.optional(),
    interrupted: z.boolean().optional(),
    judge: z
      .strictObject({
        intent: z.string().trim().min(1, { error: 'say what the message must do' }),
      })
      .optional(),
  })
  .transform((item, ctx): HistoryItem => {
    if (!item.judge) return item;
    if ((item.role ?? 'assistant') !== 'assistant' || (item.kind ?? 'message') !== 'message') {
      ctx.issues.push({
        code: 'custom',
        message: 'a judge checks a message of the agent: use it with role: assistant',
        path: ['judge'],
        input: item,
      });
      return z.NEVER;
    }
    return { ...item, role: 'assistant', kind: 'message' };
  });

const audioItem = z.strictObject({
  speech: refId.optional(),
  text: matcher.optional(),
  spoken: matcher.optional(),
  source: z.enum(['say', 'reply', 'tool_reply']).optional(),
  played: z.enum(['full', 'partial']).optional(),
  playedMs: matcher.optional(),
  reason: z.enum(['completed', 'interrupted', 'failed']).optional(),
});

/** A bare list means `exact`; `{ includes: [...] }` an ordered subset. */
export function listOf<T extends z.ZodType>(item: T) {
  return z
    .union([
      boundedList(item),
      z.strictObject({ exact: boundedList(item) }),
      z.strictObject({ includes: boundedList(item) }),
    ])
    .transform((raw): ListExpectation<z.output<T>> => {
      if (Array.isArray(raw)) return { mode: 'exact', items: raw, written: 'list' };
      if ('exact' in raw) return { mode: 'exact', items: raw.exact, written: 'exact' };
      return { mode: 'includes', items: raw.includes, written: 'includes' };
    });
}

export const expectations = z
  .strictObject({
    events: boundedList(eventExpectation).optional(),
    never: boundedList(neverExpectation).optional(),
    history: listOf(historyItem).optional(),
    audio: listOf(audioItem).optional(),
    latency: latencyExpectations.optional(),
    realtime: realtimeExpectations.optional(),
    requests: z.lazy(() => requestsExpectation).optional(),
    counts: z.lazy(() => countsExpectation).optional(),
    noDeadlock: z.boolean().optional(),
    noUnhandledError: z.boolean().optional(),
    noDroppedInput: z.boolean().optional(),
  })
  .transform(
    (raw): Expectations => ({
      events: (raw.events ?? []).map((e, index) => ({ ...e, index })),
      never: (raw.never ?? []).map((n, index) => ({ ...n, index })),
      history: raw.history ?? null,
      audio: raw.audio ?? null,
      latency: raw.latency ?? [],
      realtime: raw.realtime ?? null,
      requests: raw.requests ?? null,
      counts: raw.counts ?? [],
      noDeadlock: raw.noDeadlock ?? true,
      noUnhandledError: raw.noUnhandledError ?? true,
      noDroppedInput: raw.noDroppedInput ?? true,
    }),
  );

export const DEFAULT_EXPECTATIONS: Expectations = {
  events: [],
  never: [],
  history: null,
  audio: null,
  latency: [],
  realtime: null,
  requests: null,
  counts: [],
  noDeadlock: true,
  noUnhandledError: true,
  noDroppedInput: true,
};
