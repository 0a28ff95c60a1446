/**
 * Findings the fuzzer has reported that the runtime does not fix yet. Each has a focused
 * failing test in findings/ (`it.fails`); until the lead fixes the runtime, the CI fuzz run
 * tolerates violations that match it, so the suite stays green while everything else is
 * still checked. When a finding is fixed, flip its test and delete its entry here.
 */
import type { Plan } from './plan.js';

export interface KnownFinding {
  /** The file in test/fuzz/findings/ that reproduces it. */
  readonly name: string;
  readonly matches: (signature: string, plan: Plan) => boolean;
}

/** None today: every finding so far is fixed (their tests in findings/ now pass). */
export const KNOWN_FINDINGS: readonly KnownFinding[] = [];

/** The problems of a run that no known finding explains. */
export function unexplained(problems: readonly string[], plan: Plan): string[] {
  return problems.filter((p) => knownFinding(signatureOf(p), plan) === null);
}

/** A violation with its numbers, ids and quoted texts blanked, so one bug is one kind. */
export function signatureOf(problem: string): string {
  return problem
    .split('\n')[0]!
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\b(speech|call|task|turn|agent|item)_\d+/g, '$1_N')
    .replace(/\d+(\.\d+)?/g, 'N')
    .replace(/(speech_N → )+/g, 'speech_N → … → ')
    .replace(/(\S+\.onUserTurnCompleted)( → \S+\.onUserTurnCompleted)+/g, '$1')
    .slice(0, 200);
}

export function knownFinding(signature: string, plan: Plan): string | null {
  return KNOWN_FINDINGS.find((f) => f.matches(signature, plan))?.name ?? null;
}
