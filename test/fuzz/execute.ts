import type { AgentSession, SessionEvent } from 'voxagent';
import { runSessionScript } from '../../src/replay/runner.js';
import type { EndReason, StepRecord } from '../../src/replay/types.js';
import { type AwaitRecord, PlanBuilder, Recorder } from './build.js';
import type { Plan } from './plan.js';
import { planToScript } from './script.js';

/** Everything one run of a plan produced. */
export interface PlanRun {
  events: readonly SessionEvent[];
  eventsHash: string;
  endReason: EndReason;
  virtualMs: number;
  wallMs: number;
  /** Problems the replay runner saw (close did not finish, a step threw, rejections...). */
  runnerErrors: string[];
  steps: StepRecord[];
  violations: string[];
  awaits: AwaitRecord[];
  uncaught: string[];
  recentEvents: number;
}

/** The agent module path as seen from test/fuzz/cases/, where failing cases are written. */
export const CASE_AGENT_MODULE = '../replay-agent.ts';

/**
 * Runs a plan through the session-file runner (the same code `voxagent replay` uses), with
 * the plan's agent built here so its recorder sees what plan code observed. A failing plan
 * written as YAML therefore replays the very same run.
 */
export async function runPlan(plan: Plan): Promise<PlanRun> {
  const recorder = new Recorder();
  const builder = new PlanBuilder(plan.agents, recorder);
  const uncaught: string[] = [];
  const restore = captureProcessErrors(uncaught);
  let session: AgentSession | undefined;
  try {
    const result = await runSessionScript(planToScript(plan, CASE_AGENT_MODULE), {
      agent: () => builder.agent(0),
      onSession: (s) => {
        session = s;
      },
      wallTimeoutMs: 20_000,
    });
    // Task awaits cancelled by close() settle on the next turns: let them.
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    return {
      events: result.eventLog,
      eventsHash: result.eventsHash,
      endReason: result.endReason,
      virtualMs: result.virtualMs,
      wallMs: result.wallMs,
      runnerErrors: result.errors,
      steps: result.steps,
      violations: recorder.violations,
      awaits: recorder.awaits,
      uncaught,
      recentEvents: session?.recentEvents().length ?? 0,
    };
  } finally {
    restore();
  }
}

/**
 * While a plan runs, uncaught exceptions and unhandled rejections are the plan's findings:
 * they are recorded here instead of reaching the host's handlers (vitest would fail the
 * whole file for a known finding). The host's listeners are put back afterwards.
 */
function captureProcessErrors(into: string[]): () => void {
  const kinds = ['uncaughtException', 'unhandledRejection'] as const;
  const savedUncaught = process.listeners('uncaughtException');
  const savedRejection = process.listeners('unhandledRejection');
  for (const k of kinds) process.removeAllListeners(k);
  const record = (prefix: string) => (err: unknown) => {
    into.push(`${prefix}${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  };
  process.on('uncaughtException', record(''));
  process.on('unhandledRejection', record('(unhandled rejection) '));
  return () => {
    for (const k of kinds) process.removeAllListeners(k);
    for (const l of savedUncaught) process.on('uncaughtException', l);
    for (const l of savedRejection) process.on('unhandledRejection', l);
  };
}
