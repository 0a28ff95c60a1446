import type { EventOf, SessionEvent } from '../runtime/events/types.js';
import type { Expectations } from './schema-expect.js';
import type { DeadlockReport, ExpectationResult, StepRecord } from './types.js';

/**
 * The checks every file gets unless it opts out (`expect.noDeadlock: false`, ...):
 * no deadlock (C4, C10), no unhandled error, no dropped user input (C6).
 */

export interface CheckInput {
  events: readonly SessionEvent[];
  steps: readonly StepRecord[];
  deadlocks: readonly DeadlockReport[];
  /** `seq` of events an expectation asked for (an expected `error` is not unhandled). */
  matchedSeqs: ReadonlySet<number>;
}

export function defaultChecks(expect: Expectations, input: CheckInput): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  if (expect.noDeadlock) out.push(checkDeadlocks(input.deadlocks));
  if (expect.noUnhandledError) out.push(checkErrors(input.events, input.matchedSeqs));
  if (expect.noDroppedInput) out.push(checkDroppedInput(input.events, input.steps));
  return out.map((r) => ({ ...r, path: 'expect' }));
}

export function describeDeadlock(d: DeadlockReport): string {
  const cycle = d.cycle.length > 0 ? d.cycle.join(' → ') : d.description;
  return `${d.source === 'event' ? 'deadlock' : 'pending at end of run'} at ${d.t}ms: ${cycle}`;
}

function checkDeadlocks(deadlocks: readonly DeadlockReport[]): ExpectationResult {
  return {
    description: 'no deadlock',
    passed: deadlocks.length === 0,
    detail: deadlocks.length === 0 ? 'none' : deadlocks.map(describeDeadlock).join('; '),
  };
}

function checkErrors(
  events: readonly SessionEvent[],
  expected: ReadonlySet<number>,
): ExpectationResult {
  const errors = events.filter(
    (e): e is EventOf<'error'> => e.type === 'error' && !expected.has(e.seq),
  );
  return {
    description: 'no unhandled error',
    passed: errors.length === 0,
    detail:
      errors.length === 0
        ? 'none'
        : errors.map((e) => `${e.t}ms ${e.source}: ${e.code}: ${e.message}`).join('; '),
  };
}

/** Case, punctuation and spacing do not matter when finding an input in a turn. */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Every transcript and text the script gave before the session started closing must show
 * up in a user turn and in the history. Turns need not follow the steps' order: speech
 * commits after endpointing, so text typed meanwhile can become a turn first.
 */
function checkDroppedInput(
  events: readonly SessionEvent[],
  steps: readonly StepRecord[],
): ExpectationResult {
  const closingAt = events.find((e) => e.type === 'session.closing')?.t ?? Number.POSITIVE_INFINITY;
  const turns = new TextIndex(
    events.flatMap((e) => (e.type === 'user.turn' ? [normalizeText(e.text)] : [])),
  );
  const history = new TextIndex(
    events.flatMap((e) =>
      e.type === 'history.added' && e.role === 'user' ? [normalizeText(e.text)] : [],
    ),
  );
  const dropped: string[] = [];
  let checked = 0;
  for (const step of steps) {
    const text = step.input;
    if (text === null || step.startedAt === null || step.startedAt >= closingAt) continue;
    const want = normalizeText(text);
    if (want === '') continue;
    checked++;
    // A turn may hold several inputs said close together, but each input needs its own
    // turn: a text said twice must show up in two turns.
    if (!turns.claim(want)) {
      dropped.push(
        `"${text}" (step ${step.index + 1}, at ${step.startedAt}ms) never became a user turn`,
      );
    } else if (!history.contains(want)) {
      dropped.push(`"${text}" (step ${step.index + 1}) is not in the chat history`);
    }
  }
  return {
    description: 'no dropped user input',
    passed: dropped.length === 0,
    detail:
      dropped.length === 0 ? `${checked} input(s), all became user turns` : dropped.join('; '),
  };
}

/**
 * Normalised texts (turns, history) to find inputs in: an exact match is a map lookup, so a
 * long session stays linear; only an input merged into a longer turn needs a scan.
 */
class TextIndex {
  readonly #texts: readonly string[];
  /** Indices of each text, and how many of them `claim` used (they are used in order). */
  readonly #exact = new Map<string, { at: number[]; used: number }>();
  /** Per text, the inputs already found in it. */
  readonly #claimed: Set<string>[];

  constructor(texts: readonly string[]) {
    this.#texts = texts;
    this.#claimed = texts.map(() => new Set());
    texts.forEach((text, i) => {
      const entry = this.#exact.get(text) ?? { at: [], used: 0 };
      entry.at.push(i);
      this.#exact.set(text, entry);
    });
  }

  contains(want: string): boolean {
    return this.#exact.has(want) || this.#texts.some((t) => t.includes(want));
  }

  /** Finds a text holding `want` that has not given `want` yet, and marks it. */
  claim(want: string): boolean {
    const entry = this.#exact.get(want);
    const exact = entry && entry.used < entry.at.length ? entry.at[entry.used++] : undefined;
    const at =
      exact ?? this.#texts.findIndex((t, i) => !this.#claimed[i]!.has(want) && t.includes(want));
    if (at < 0) return false;
    this.#claimed[at]!.add(want);
    return true;
  }
}
