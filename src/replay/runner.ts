import { basename, extname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Agent } from '../runtime/agents/agent.js';
import type { SessionEvent } from '../runtime/events/types.js';
import { AgentSession } from '../runtime/session/session.js';
import {
  type AgentFactory,
  AgentLoadError,
  agentFactoryOf,
  loadAgentFactory,
} from './agent-loader.js';
import { eventsHash } from './canonical.js';
import { defaultChecks } from './checks.js';
import { TimelineDriver } from './driver.js';
import { evaluateExpectations } from './expectations.js';
import { buildFakes, type ReplayFakes, sessionActions, sessionOptions } from './fakes.js';
import {
  type LoadedSession,
  loadSessionFile,
  parseSessionText,
  validateSessionObject,
} from './load.js';
import { audioFromSink, pendingWork } from './observed.js';
import { ReplayClock } from './replay-clock.js';
import { RunEnd } from './run-end.js';
import type { SessionScript } from './schema.js';
import type { DeadlockReport, EndReason, ReplayResult } from './types.js';

/**
 * Runs a session file: the agent module, the scripted fakes and an AgentSession on a
 * virtual clock; the user timeline is played on that clock until the script is done and the
 * session idle; then the session is closed and the expectations are evaluated.
 */

export interface ReplayOptions {
  /** Run this agent instead of the file's `agent:` module. */
  agent?: AgentFactory | Agent;
  /** Sees every event as it is emitted (live views, recorders). */
  onEvent?: (event: SessionEvent) => void;
  /** Sees the session and fakes before the session starts (e.g. to attach a recorder). */
  onSession?: (session: AgentSession, fakes: ReplayFakes) => void;
  /**
   * Real-time safety net for a runtime that spins without moving virtual time (a bug).
   * Results never depend on it unless it trips, which is reported as an error.
   * Default 60 s; 0 disables it.
   */
  wallTimeoutMs?: number;
}

/** Virtual time allowed for close() beyond its own bounds before it counts as stuck. */
const CLOSE_SLACK_MS = 1000;

export async function runSessionFile(
  file: string,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  return runLoaded(await loadSessionFile(file), options);
}

/** Runs the text of a session file as if it were the file at `file` (paths resolve from there). */
export async function runSessionText(
  text: string,
  file: string,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  return runLoaded(parseSessionText(text, file), options);
}

function runLoaded(loaded: LoadedSession, options: ReplayOptions): Promise<ReplayResult> {
  const load = () => loadAgentFactory(loaded.agentPath, loaded.script.agent.export);
  return execute(loaded.script, loaded.file, givenAgent(options) ?? load, options);
}

/**
 * Runs an object shaped like a session file. Relative `agent:` paths resolve against
 * `baseDir` (default: the working directory), unless `options.agent` is given.
 */
export async function runSessionScript(
  value: unknown,
  options: ReplayOptions & { file?: string; baseDir?: string } = {},
): Promise<ReplayResult> {
  const file = options.file ?? '(script)';
  const script = validateSessionObject(value, file);
  const path = resolve(options.baseDir ?? process.cwd(), script.agent.module);
  const load = () => loadAgentFactory(path, script.agent.export);
  return execute(script, file, givenAgent(options) ?? load, options);
}

function givenAgent(options: ReplayOptions): (() => Promise<AgentFactory>) | undefined {
  const agent = options.agent;
  return agent ? async () => agentFactoryOf(agent, 'the given agent') : undefined;
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.split('\n')[0]}`;
  return String(err);
}

/** Everything one run is made of, wired together but not started. */
interface Stage {
  clock: ReplayClock;
  fakes: ReplayFakes;
  session: AgentSession;
  driver: TimelineDriver;
  end: RunEnd;
  events: SessionEvent[];
}

function buildStage(script: SessionScript, options: ReplayOptions): Stage {
  const clock = new ReplayClock();
  // Nothing moves until the stage is set; then time runs by itself.
  clock.pause();
  const fakes = buildFakes(script.models, clock, script.run.limitMs);
  const session = new AgentSession({
    clock,
    llm: fakes.llm,
    tts: fakes.tts,
    stt: fakes.user,
    vad: fakes.user,
    output: fakes.output,
    ...sessionOptions(script.options),
  });
  const events: SessionEvent[] = [];
  const actions = sessionActions(session, fakes, clock);
  const driver = new TimelineDriver(script.user, clock, actions, () => end.poke());
  const end = new RunEnd(clock, session, driver, script.run.settleMs);
  session.onAny((e) => {
    events.push(e);
    driver.onEvent(e);
    end.onEvent(e);
    options.onEvent?.(e);
  });
  options.onSession?.(session, fakes);
  return { clock, fakes, session, driver, end, events };
}

/** Starts the session and the timeline, and waits for the end of the run. */
async function play(stage: Stage, script: SessionScript, loadFactory: () => Promise<AgentFactory>) {
  const { clock, session, driver, end } = stage;
  const factory = await loadFactory();
  const agent = await factory({ userData: script.options.userData });
  await session.start({ agent });
  driver.start();
  end.poke();
  clock.setLimit(script.run.limitMs, () => end.finish('limit'));
  const stopQuiet = clock.onQuiescent(() => end.finish('quiescent'));
  clock.resume();
  const reason = await end.done;
  stopQuiet();
  return reason;
}

async function execute(
  script: SessionScript,
  file: string,
  loadFactory: () => Promise<AgentFactory>,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const wallStart = performance.now();
  const stage = buildStage(script, options);
  const errors: string[] = [];
  const onRejection = (reason: unknown) =>
    errors.push(`unhandled rejection: ${describeError(reason)}`);
  process.on('unhandledRejection', onRejection);
  const wallMs = options.wallTimeoutMs ?? 60_000;
  // Only against a runtime bug that spins without moving virtual time; see ReplayOptions.
  const wallGuard =
    wallMs === 0
      ? undefined
      : setTimeout(() => {
          errors.push(`wall-clock guard: no end after ${wallMs} ms of real time`);
          stage.end.finish('error');
        }, wallMs);
  let endReason: EndReason = 'error';
  let loadError: AgentLoadError | undefined;
  try {
    endReason = await play(stage, script, loadFactory);
    if (script.run.close && !stage.session.closed) {
      await closeSession(stage.session, stage.clock, script, errors);
    }
  } catch (err) {
    if (err instanceof AgentLoadError) loadError = err;
    else errors.push(describeError(err));
  } finally {
    clearTimeout(wallGuard);
    stage.clock.pause();
    stage.driver.stop();
    // Rejections surface on the next turns of the event loop: let them arrive first.
    await new Promise((r) => setImmediate(r));
    process.off('unhandledRejection', onRejection);
  }
  // An agent module that cannot be loaded is bad input, like an invalid file.
  if (loadError) throw new AgentLoadError(`${file}: agent: ${loadError.message}`);
  return buildResult({ ...stage, script, file, errors, endReason, wallStart });
}

async function closeSession(
  session: AgentSession,
  clock: ReplayClock,
  script: SessionScript,
  errors: string[],
): Promise<void> {
  const budget = 4 * (script.options.closeTimeoutMs ?? 2000) + CLOSE_SLACK_MS;
  const stuck = new Promise<string>((resolveStuck) => {
    clock.setLimit(clock.now() + budget, () => resolveStuck(`still closing after ${budget} ms`));
    clock.onQuiescent(() => resolveStuck('nothing left to advance it'));
  });
  clock.resume();
  const outcome = await Promise.race([session.close('replay finished').then(() => null), stuck]);
  if (outcome !== null) errors.push(`session.close() did not finish: ${outcome} (contract C8)`);
}

interface ResultInput {
  script: SessionScript;
  file: string;
  events: SessionEvent[];
  errors: string[];
  endReason: EndReason;
  clock: ReplayClock;
  driver: TimelineDriver;
  fakes: ReplayFakes;
  wallStart: number;
}

function buildResult(r: ResultInput): ReplayResult {
  const events = [...r.events];
  const deadlocks = deadlockReports(events, r.endReason, r.clock.now(), r.script);
  const errors = [...r.errors, ...r.driver.explainPending()];
  for (const step of r.driver.records) {
    if (step.error)
      errors.push(`step ${step.index + 1} (${step.description}) failed: ${step.error}`);
  }
  const steps = r.driver.records.map((s) => ({ ...s }));
  const evaluated = evaluateExpectations(r.script.expect, {
    events,
    steps,
    audio: audioFromSink(r.fakes.output.segments, events),
  });
  const checks = defaultChecks(r.script.expect, {
    events,
    steps,
    deadlocks,
    matchedSeqs: evaluated.matchedSeqs,
  });
  const expectations = [...evaluated.results, ...checks];
  return {
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
    eventLog: events,
  };
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
