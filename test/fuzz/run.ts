/**
 * `npm run fuzz -- --runs N [--seed S] [--shrink K] [--all] [--no-turn-await]`: runs N random sessions and
 * prints a summary (cases, failures by kind, time). The first case of each new kind of
 * failure (up to K, default 3) is shrunk to a minimal plan and written as a session file
 * to test/fuzz/cases/. Failures that match a known finding (findings/) are counted apart;
 * `--all` treats them as new; `--no-turn-await` never lets onUserTurnCompleted await its
 * speech (the trigger of turn-hook-holds-queue), so other deadlocks cannot hide behind it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { SessionEvent } from '../../src/index.js';
import { DEFAULT_LIMITS, type PlanLimits, planArb } from './arbitraries.js';
import { CASE_AGENT_MODULE } from './execute.js';
import { knownFinding, signatureOf, unexplained } from './known.js';
import type { Plan } from './plan.js';
import { checkPlan, failureReport } from './property.js';
import { planToYaml } from './script.js';

const BATCH = 500;

/** Which scheduler features a run exercised (for the coverage part of the summary). */
function featuresOf(events: readonly SessionEvent[]): Set<string> {
  const f = new Set<string>();
  for (const e of events) {
    if (e.type === 'task.started')
      f.add(e.awaitedBy.startsWith('tool') ? 'task from a tool' : 'task from a hook');
    else if (e.type === 'task.completed') f.add('task completed');
    else if (e.type === 'task.failed') f.add('task failed');
    else if (e.type === 'task.cancelled') f.add('task cancelled');
    else if (e.type === 'agent.changed' && e.reason === 'handoff') f.add('handoff');
    else if (e.type === 'agent.changed' && e.stack.length > 2) f.add('nested tasks');
    else if (e.type === 'speech.interrupted')
      f.add(`interrupted by ${e.by}${e.force ? ' (force)' : ''}`);
    else if (e.type === 'speech.paused' && e.playedMs === 0) f.add('held before its first audio');
    else if (e.type === 'speech.paused') f.add('paused (possible false interruption)');
    else if (e.type === 'preemptive.used') f.add('preemptive reply used');
    else if (e.type === 'preemptive.discarded') f.add('preemptive reply discarded');
    else if (e.type === 'tool.updated' && e.background) f.add('tool went to the background');
    else if (e.type === 'speech.created' && e.source === 'tool_reply')
      f.add('deferred reply of a background tool');
    else if (e.type === 'tool.finished' && e.isError && /handoff/.test(e.output))
      f.add('handoff cancelled by an interruption');
    else if (e.type === 'user.false_interruption') f.add('false interruption resumed');
    else if (e.type === 'speech.done' && e.reason === 'failed')
      f.add('speech failed (scripted model failure)');
    else if (e.type === 'speech.created' && e.originToolCallId && e.source === 'say')
      f.add('filler say() from a tool');
    else if (e.type === 'tool.finished' && e.isError) f.add('tool error given to the model');
    else if (e.type === 'tool.finished' && e.interrupted) f.add('tool of an interrupted turn');
    else if (e.type === 'speech.awaiting_tools' && e.toolCallIds.length > 1)
      f.add('parallel tool calls');
    else if (e.type === 'warning' && e.code === 'output_never_reports')
      f.add('never-reporting output');
    else if (e.type === 'user.turn' && e.waited)
      f.add('turn waited behind non-interruptible speech');
    else if (e.type === 'user.turn') f.add(`user turn (${e.source})`);
    else if (e.type === 'session.closing' && e.reason === 'fuzz') f.add('close() mid-session');
  }
  return f;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number`);
  return v;
}

interface Kind {
  signature: string;
  count: number;
  known: string | null;
  first: { seed: number; index: number };
}

async function main(): Promise<void> {
  const runs = arg('runs', 1000);
  const seed = arg('seed', Date.now() % 1_000_000_000);
  const shrinkMax = arg('shrink', 3);
  const all = process.argv.includes('--all');
  const limits = { ...DEFAULT_LIMITS, turnHookAwaits: !process.argv.includes('--no-turn-await') };
  const started = performance.now();
  const kinds = new Map<string, Kind>();
  let failures = 0;
  let virtualMs = 0;
  let events = 0;
  const coverage = new Map<string, number>();
  for (let done = 0, batch = 0; done < runs; batch++) {
    const n = Math.min(BATCH, runs - done);
    const batchSeed = seed + batch;
    const plans = fc.sample(planArb(limits), { numRuns: n, seed: batchSeed });
    for (const [index, plan] of plans.entries()) {
      const { problems, run } = await checkPlan(plan);
      virtualMs += run.virtualMs;
      events += run.events.length;
      const features = featuresOf(run.events);
      if (plan.session.model !== 'llm') {
        features.add(`${plan.session.model} model`);
        if ([...features].some((f) => f.startsWith('interrupted by'))) {
          features.add('realtime response interrupted (truncated on the model)');
        }
      }
      for (const f of features) coverage.set(f, (coverage.get(f) ?? 0) + 1);
      if (problems.length > 0) failures++;
      for (const p of new Set(problems.map(signatureOf))) {
        const known = all ? null : knownFinding(p, plan);
        const key = `${known ?? 'NEW'} ${p}`;
        const kind = kinds.get(key) ?? {
          signature: p,
          count: 0,
          known,
          first: { seed: batchSeed, index },
        };
        kind.count++;
        kinds.set(key, kind);
      }
    }
    done += n;
    const secs = (performance.now() - started) / 1000;
    process.stderr.write(`\r${done}/${runs} cases, ${failures} failing, ${secs.toFixed(0)} s   `);
  }
  process.stderr.write('\n');
  const wall = (performance.now() - started) / 1000;
  const lines = [
    `fuzz: ${runs} cases (each run twice for determinism), seed ${seed}`,
    `      ${failures} failing case(s), ${kinds.size} kind(s) of violation`,
    `      ${wall.toFixed(1)} s wall, ${(runs / wall).toFixed(0)} cases/s, ${(virtualMs / 3_600_000).toFixed(1)} h of virtual conversation`,
  ];
  lines.push(`      ${(events / runs).toFixed(0)} events per case; cases that exercised:`);
  for (const [f, n] of [...coverage].sort((a, b) => b[1] - a[1])) {
    lines.push(
      `  ${String(n).padStart(6)}  (${((100 * n) / runs).toFixed(0).padStart(3)} %)  ${f}`,
    );
  }
  for (const k of [...kinds.values()].sort((a, b) => b.count - a.count)) {
    lines.push(
      `  ${String(k.count).padStart(6)}  ${k.known ? `[known: ${k.known}] ` : '[NEW] '}${k.signature}`,
    );
  }
  console.log(lines.join('\n'));
  const fresh = [...kinds.values()].filter((k) => !k.known).slice(0, shrinkMax);
  for (const kind of fresh) await shrink(kind, limits, all);
  process.exitCode = fresh.length > 0 ? 1 : 0;
}

/** Replays the batch up to the first case of this kind, then lets fast-check shrink it. */
async function shrink(kind: Kind, limits: PlanLimits, all: boolean): Promise<void> {
  const property = fc.asyncProperty(planArb(limits), async (plan: Plan) => {
    const { problems } = await checkPlan(plan);
    const left = all ? problems : unexplained(problems, plan);
    return !left.some((p) => signatureOf(p) === kind.signature);
  });
  const result = await fc.check(property, {
    seed: kind.first.seed,
    numRuns: kind.first.index + 1,
  });
  const plan = result.counterexample?.[0];
  if (!plan) {
    console.log(`\ncould not reproduce "${kind.signature}" for shrinking`);
    return;
  }
  const { problems } = await checkPlan(plan);
  const slug = kind.signature.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
  const name = `${slug}-${kind.first.seed}-${kind.first.index}`;
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'cases');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, planToYaml(plan, CASE_AGENT_MODULE, name));
  console.log(`\n=== ${kind.signature} (shrunk in ${result.numShrinks} steps) → ${file}`);
  console.log(failureReport(plan, problems, name));
}

await main();
