import { z } from 'zod';
import type { EventOf, SessionEvent, TurnLatencyParts } from '../runtime/events/types.js';
import { formatDuration, parseDuration } from './duration.js';
import { LIMITS } from './limits.js';
import { boundedInt, boundedList } from './schema-common.js';
import type { ExpectationResult } from './types.js';

/**
 * Latency attribution per user turn: from `metrics.turn` (user stopped speaking → the
 * answer's first audio playing), split into named parts that add up to it. In results
 * (`--json`), in traces, and in `expect.latency`, which bounds any part:
 *
 *   latency: { e2e: "<800ms", llmTtft: "<400ms" }           # every turn
 *   latency:
 *     - { turn: 1, e2e: 650ms, endpointing: 500ms, ... }    # one turn, exactly
 */

/** The parts in the order they happen, by their short names in session files. */
export const LATENCY_PARTS = [
  ['transcription', 'transcriptionMs'],
  ['endpointing', 'endpointingMs'],
  ['hook', 'hookMs'],
  ['queue', 'queueMs'],
  ['tools', 'toolsMs'],
  ['llmTtft', 'llmTtftMs'],
  ['llmSentence', 'llmSentenceMs'],
  ['ttsTtfb', 'ttsTtfbMs'],
  ['output', 'outputMs'],
] as const satisfies readonly (readonly [string, keyof TurnLatencyParts])[];

export type LatencyPartName = (typeof LATENCY_PARTS)[number][0] | 'e2e';

/** One turn's latency as results report it. */
export interface TurnLatency {
  turnId: string;
  speechId: string;
  /** When the user stopped speaking (or sent text): the start of `e2eMs`. */
  startMs: number;
  e2eMs: number;
  parts: TurnLatencyParts;
  endpointingSetting: EventOf<'metrics.turn'>['endpointingSetting'];
}

export function turnLatencies(events: readonly SessionEvent[]): TurnLatency[] {
  const committedAt = new Map<string, number>();
  const out: TurnLatency[] = [];
  for (const e of events) {
    if (e.type === 'user.turn') committedAt.set(e.turnId, e.t);
    if (e.type !== 'metrics.turn') continue;
    // The turn was committed after transcription and endpointing: that is where e2e starts.
    const committed = committedAt.get(e.turnId) ?? e.t;
    out.push({
      turnId: e.turnId,
      speechId: e.speechId,
      startMs: committed - e.parts.transcriptionMs - e.parts.endpointingMs,
      e2eMs: e.e2eMs,
      parts: e.parts,
      endpointingSetting: e.endpointingSetting,
    });
  }
  return out;
}

/** `e2e 650ms = endpointing 500ms (minEndpointingDelayMs) + llmTtft 150ms` (non-zero parts). */
export function describeLatency(l: TurnLatency): string {
  const parts = LATENCY_PARTS.filter(([, key]) => l.parts[key] > 0).map(([name, key]) => {
    const setting =
      name === 'endpointing' && l.endpointingSetting ? ` (${l.endpointingSetting})` : '';
    return `${name} ${formatDuration(l.parts[key])}${setting}`;
  });
  return `e2e ${formatDuration(l.e2eMs)}${parts.length > 0 ? ` = ${parts.join(' + ')}` : ''}`;
}

type Op = '<' | '<=' | '>' | '>=' | '=';

export interface LatencyBound {
  op: Op;
  ms: number;
}

/** `<800ms`, `<= 1s`, `>=100ms`, or a duration alone (exactly). */
const BOUND = /^\s*(<=|>=|<|>|=)?\s*(.+)$/;

const bound = z
  .union([z.number(), z.string()], { error: 'expected a bound like "<800ms" or 650ms' })
  .transform((v, ctx): LatencyBound => {
    const m = typeof v === 'number' ? null : BOUND.exec(v);
    const ms = typeof v === 'number' ? parseDuration(v) : parseDuration(m?.[2]);
    if (ms === null || ms > LIMITS.durationMs) {
      ctx.issues.push({
        code: 'custom',
        message: `expected a bound like "<800ms", "<=1s" or 650ms (exactly), got ${JSON.stringify(v)}`,
        input: v,
      });
      return z.NEVER;
    }
    return { op: (m?.[1] as Op | undefined) ?? '=', ms };
  });

export interface LatencyExpectation {
  /** Where it is written: `expect.latency` or `expect.latency[1]`. */
  path: string;
  /** 1-based position among the user turns, or a turn id; null: every turn. */
  turn: number | string | null;
  bounds: Partial<Record<LatencyPartName, LatencyBound>>;
  endpointingSetting?: TurnLatency['endpointingSetting'];
}

const partFields = Object.fromEntries(
  [...LATENCY_PARTS.map(([name]) => name), 'e2e'].map((name) => [name, bound.optional()]),
) as Record<LatencyPartName, z.ZodOptional<typeof bound>>;

const latencyItem = z
  .strictObject({
    turn: z.union([boundedInt(1, LIMITS.listItems), z.string().regex(/^turn_\d+$/)]).optional(),
    endpointingSetting: z
      .enum(['minEndpointingDelayMs', 'maxEndpointingDelayMs'])
      .nullable()
      .optional(),
    ...partFields,
  })
  .transform((raw, ctx): Omit<LatencyExpectation, 'path'> => {
    const { turn, endpointingSetting, ...rest } = raw;
    // e2e first, then the parts in the order they happen: that is how reports list them.
    const names: LatencyPartName[] = ['e2e', ...LATENCY_PARTS.map(([name]) => name)];
    const bounds = Object.fromEntries(
      names.flatMap((name) => (rest[name] === undefined ? [] : [[name, rest[name]]])),
    ) as LatencyExpectation['bounds'];
    const problem = sumProblem(bounds);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: raw });
    return {
      turn: turn ?? null,
      bounds,
      ...(endpointingSetting !== undefined ? { endpointingSetting } : {}),
    };
  });

/** Exact parts can never add up to more than an exact e2e, and all nine must add up to it. */
function sumProblem(bounds: LatencyExpectation['bounds']): string | null {
  const e2e = bounds.e2e;
  if (e2e?.op !== '=') return null;
  const exact = LATENCY_PARTS.map(([name]) => bounds[name]).filter((b) => b?.op === '=');
  const sum = exact.reduce((a, b) => a + b!.ms, 0);
  const all = exact.length === LATENCY_PARTS.length;
  if (sum > e2e.ms || (all && sum !== e2e.ms)) {
    return `the parts add up to ${formatDuration(sum)}, not to e2e ${formatDuration(e2e.ms)}`;
  }
  return null;
}

/** `expect.latency`: one object (every turn) or a list of them. */
export const latencyExpectations = z
  .union([latencyItem, boundedList(latencyItem)])
  .transform((raw): LatencyExpectation[] =>
    Array.isArray(raw)
      ? raw.map((item, i) => ({ ...item, path: `expect.latency[${i}]` }))
      : [{ ...raw, path: 'expect.latency' }],
  );

function fits(b: LatencyBound, ms: number): boolean {
  switch (b.op) {
    case '<':
      return ms < b.ms;
    case '<=':
      return ms <= b.ms;
    case '>':
      return ms > b.ms;
    case '>=':
      return ms >= b.ms;
    case '=':
      return Math.abs(ms - b.ms) < 0.001;
  }
}

const showBound = (b: LatencyBound) => `${b.op === '=' ? '' : `${b.op} `}${formatDuration(b.ms)}`;

function partMs(l: TurnLatency, name: LatencyPartName): number {
  if (name === 'e2e') return l.e2eMs;
  return l.parts[LATENCY_PARTS.find(([n]) => n === name)![1]];
}

/** What is wrong with one turn, or null. */
function turnProblem(exp: LatencyExpectation, l: TurnLatency): string | null {
  const bad = Object.entries(exp.bounds)
    .filter(([name, b]) => !fits(b, partMs(l, name as LatencyPartName)))
    .map(
      ([name, b]) =>
        `${name} ${formatDuration(partMs(l, name as LatencyPartName))} (expected ${showBound(b)})`,
    );
  if (exp.endpointingSetting !== undefined && exp.endpointingSetting !== l.endpointingSetting) {
    bad.push(`endpointing owned by ${l.endpointingSetting} (expected ${exp.endpointingSetting})`);
  }
  return bad.length > 0 ? `${l.turnId}: ${bad.join(', ')}; ${describeLatency(l)}` : null;
}

export function describeLatencyExpectation(exp: LatencyExpectation): string {
  const which =
    exp.turn === null ? 'every turn' : typeof exp.turn === 'number' ? `turn ${exp.turn}` : exp.turn;
  const bounds = Object.entries(exp.bounds).map(([name, b]) => `${name} ${showBound(b)}`);
  if (exp.endpointingSetting !== undefined) bounds.push(`endpointing by ${exp.endpointingSetting}`);
  return `latency of ${which}: ${bounds.join(', ')}`;
}

export function evaluateLatency(
  list: readonly LatencyExpectation[],
  events: readonly SessionEvent[],
): ExpectationResult[] {
  const latencies = turnLatencies(events);
  const turnIds = events.flatMap((e) => (e.type === 'user.turn' ? [e.turnId] : []));
  return list.map((exp) => {
    const description = describeLatencyExpectation(exp);
    const path = exp.path;
    const id = typeof exp.turn === 'number' ? turnIds[exp.turn - 1] : exp.turn;
    const turns = exp.turn === null ? latencies : latencies.filter((l) => l.turnId === id);
    if (turns.length === 0) {
      const why =
        exp.turn === null
          ? 'no turn was answered with audio (no metrics.turn)'
          : id === undefined
            ? `there were only ${turnIds.length} user turns`
            : `${id} was never answered with audio (no metrics.turn)`;
      return { description, passed: false, detail: why, path };
    }
    const problems = turns.map((l) => turnProblem(exp, l)).filter((p): p is string => p !== null);
    const slowest = turns.reduce((a, b) => (b.e2eMs > a.e2eMs ? b : a));
    return {
      description,
      passed: problems.length === 0,
      detail:
        problems.length === 0
          ? `${turns.length} turn(s); slowest ${slowest.turnId}: ${describeLatency(slowest)}`
          : `${problems.slice(0, 3).join(' | ')}${problems.length > 3 ? ` | and ${problems.length - 3} more turns` : ''}`,
      path,
    };
  });
}

/** A turn's latency as trace spans: the whole, then its non-zero parts laid end to end. */
export interface LatencySpan {
  name: string;
  start: number;
  end: number;
  args: Record<string, unknown>;
  /** The parts are nested in their turn's span (index of it in the list). */
  parent: number | null;
}

export function latencySpans(events: readonly SessionEvent[]): LatencySpan[] {
  const spans: LatencySpan[] = [];
  for (const l of turnLatencies(events)) {
    const parent = spans.length;
    spans.push({
      name: `${l.turnId} e2e ${formatDuration(l.e2eMs)}`,
      start: l.startMs,
      end: l.startMs + l.e2eMs,
      args: { speechId: l.speechId, ...l.parts, endpointingSetting: l.endpointingSetting },
      parent: null,
    });
    let at = l.startMs;
    for (const [name, key] of LATENCY_PARTS) {
      const ms = l.parts[key];
      if (ms <= 0) continue;
      const setting = name === 'endpointing' ? { setting: l.endpointingSetting } : {};
      spans.push({ name, start: at, end: at + ms, args: { ms, ...setting }, parent });
      at += ms;
    }
  }
  return spans;
}
