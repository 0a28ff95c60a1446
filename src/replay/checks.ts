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
  return out;
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
  const turns = events.filter((e): e is EventOf<'user.turn'> => e.type === 'user.turn');
  const history = events
    .filter((e): e is EventOf<'history.added'> => e.type === 'history.added' && e.role === 'user')
    .map((e) => normalizeText(e.text));
  const dropped: string[] = [];
  let checked = 0;
  // A turn may hold several inputs said close together, but each input needs its own
  // turn: a text said twice must show up in two turns.
  const claimed = turns.map(() => new Set<string>());
  for (const step of steps) {
    const text = step.input;
    if (text === null || step.startedAt === null || step.startedAt >= closingAt) continue;
    const want = normalizeText(text);
    if (want === '') continue;
    checked++;
    const at = turns.findIndex(
      (t, i) => !claimed[i]!.has(want) && normalizeText(t.text).includes(want),
    );
    if (at < 0) {
      dropped.push(
        `"${text}" (step ${step.index + 1}, at ${step.startedAt}ms) never became a user turn`,
      );
      continue;
    }
    claimed[at]!.add(want);
    if (!history.some((h) => h.includes(want))) {
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
