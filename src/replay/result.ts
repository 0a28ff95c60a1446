import { basename, extname } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SessionEvent } from '../runtime/events/types.js';
import { eventsHash } from './canonical.js';
import { defaultChecks } from './checks.js';
import type { TimelineDriver } from './driver.js';
import type { PendingJudgement } from './expect-lists.js';
import { evaluateRealtime } from './expect-realtime.js';
import { evaluateExpectations } from './expectations.js';
import type { ReplayFakes } from './fakes.js';
import { turnLatencies } from './latency.js';
import { audioFromSink, pendingWork } from './observed.js';
import type { ReplayClock } from './replay-clock.js';
import type { RequestLog } from './request-log.js';
import type { SessionScript } from './schema.js';
import type { DeadlockReport, EndReason, ReplayResult } from './types.js';

/** A finished run's result: expectations, default checks, deadlocks and errors. */

/** Steps that never ran are listed up to this many; the rest are counted. */
const MAX_NEVER_RAN_LINES = 5;

export interface ResultInput {
  script: SessionScript;
  file: string;
  events: SessionEvent[];
  errors: string[];
  endReason: EndReason;
  clock: ReplayClock;
  driver: TimelineDriver;
  fakes: ReplayFakes;
  /** The model requests of the run. */
  requests?: RequestLog;
  wallStart: number;
}

/** The result, and the judged expectations still to ask a judge about. */
export function buildResult(r: ResultInput): { result: ReplayResult; judge: PendingJudgement[] } {
  const events = [...r.events];
  const deadlocks = deadlockReports(events, r.endReason, r.clock.now(), r.script);
  const pending = r.driver.explainPending();
  const errors = [...r.errors, ...pending.slice(0, MAX_NEVER_RAN_LINES)];
  if (pending.length > MAX_NEVER_RAN_LINES) {
    errors.push(`… and ${pending.length - MAX_NEVER_RAN_LINES} more steps never ran`);
  }
  for (const step of r.driver.records) {
    if (step.error)
      errors.push(`step ${step.index + 1} (${step.description}) failed: ${step.error}`);
  }
  const steps = r.driver.records.map((s) => ({ ...s }));
  const evaluated = evaluateExpectations(r.script.expect, {
    events,
    steps,
    audio: audioFromSink(r.fakes.output.segments, events),
    requests: r.requests?.records ?? [],
  });
  const checks = defaultChecks(r.script.expect, {
    events,
    steps,
    deadlocks,
    matchedSeqs: evaluated.matchedSeqs,
  });
  const realtime = evaluateRealtime(r.script.expect.realtime, r.fakes.realtime?.truncations);
  const expectations = [...evaluated.results, ...realtime, ...checks];
  const result: ReplayResult = {
    file: r.file,
    name: r.script.name ?? basename(r.file, extname(r.file)),
    passed: errors.length === 0 && expectations.every((x) => x.passed),
    expectations,
    deadlocks,
    errors,
    endReason: r.endReason,
    virtualMs: r.clock.now(),
    wallMs: Math.round((performance.now() - r.wallStart) * 10) / 10,
    events: events.length,
    eventsHash: eventsHash(events),
    steps,
    latency: turnLatencies(events),
    eventLog: events,
  };
  return { result, judge: evaluated.judge };
}

function deadlockReports(
  events: readonly SessionEvent[],
  endReason: EndReason,
  now: number,
  script: SessionScript,
): DeadlockReport[] {
  const reports: DeadlockReport[] = [];
  for (const e of events) {
    if (e.type === 'deadlock') {
      reports.push({
        source: 'event',
        t: e.t,
        cycle: e.cycle,
        description: e.description,
        openWaits: e.openWaits,
      });
    }
  }
  const pending = pendingWork(events);
  if (endReason === 'limit') {
    const what = pending.length > 0 ? pending.join(', ') : 'timers kept firing';
    reports.push({
      source: 'end-of-run',
      t: now,
      cycle: [],
      description: `not idle at the ${script.run.limitMs} ms virtual-time limit: ${what}`,
      openWaits: [],
    });
  } else if (pending.length > 0 && reports.length === 0) {
    const closed = events.some((e) => e.type === 'session.closed');
    reports.push({
      source: 'end-of-run',
      t: now,
      cycle: [],
      description: `${closed ? 'still pending after close' : 'pending at the end of the run'}: ${pending.join(', ')}`,
      openWaits: [],
    });
  }
  return reports;
}
