import fc from 'fast-check';
import { DEFAULT_LIMITS, type PlanLimits, planArb } from './arbitraries.js';
import { CASE_AGENT_MODULE, type PlanRun, runPlan } from './execute.js';
import { checkRun } from './invariants.js';
import { unexplained } from './known.js';
import type { Plan } from './plan.js';
import { planToYaml, vitestSnippet } from './script.js';

/** What one case found: the invariant violations of its first run, and determinism. */
export async function checkPlan(plan: Plan): Promise<{ problems: string[]; run: PlanRun }> {
  const first = await runPlan(plan);
  const problems = checkRun(plan, first);
  const second = await runPlan(plan);
  if (second.eventsHash !== first.eventsHash) {
    const a = first.events.map((e) => JSON.stringify(e));
    const b = second.events.map((e) => JSON.stringify(e));
    const i = a.findIndex((line, k) => line !== b[k]);
    problems.push(
      `not deterministic (C10): the streams differ at event ${i}:\n  run 1: ${a[i]}\n  run 2: ${b[i]}`,
    );
  }
  return { problems, run: first };
}

/** The report of a (shrunk) failing plan: the violations, the session file, a test. */
export function failureReport(plan: Plan, problems: string[], name = 'fuzz finding'): string {
  return [
    `${problems.length} invariant violation(s):`,
    ...problems.map((p) => `  - ${p}`),
    '',
    '# Session file (save as test/fuzz/cases/<name>.yaml, then `voxagent replay` it):',
    planToYaml(plan, CASE_AGENT_MODULE, name),
    '// The same case as a vitest test (test/fuzz/findings/<name>.test.ts):',
    vitestSnippet(plan, name),
  ].join('\n');
}

export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
  constructor(
    readonly plan: Plan,
    readonly problems: string[],
  ) {
    super(failureReport(plan, problems));
  }
}

/**
 * The scheduler property: every invariant holds and the run is deterministic. With
 * `tolerateKnown`, violations explained by a known finding (known.ts) do not fail it.
 */
export function schedulerProperty(
  options: {
    limits?: PlanLimits;
    tolerateKnown?: boolean;
    onCase?: (failing: boolean) => void;
  } = {},
) {
  return fc.asyncProperty(planArb(options.limits ?? DEFAULT_LIMITS), async (plan) => {
    const { problems } = await checkPlan(plan);
    options.onCase?.(problems.length > 0);
    const left = options.tolerateKnown ? unexplained(problems, plan) : problems;
    if (left.length > 0) throw new FuzzFailure(plan, left);
  });
}
