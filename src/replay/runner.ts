import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Agent } from '../runtime/agents/agent.js';
import type { SessionEvent } from '../runtime/events/types.js';
import type { AgentSession } from '../runtime/session/session.js';
import {
  type AgentFactory,
  AgentLoadError,
  agentFactoryOf,
  loadAgentFactory,
} from './agent-loader.js';
import { formatDuration } from './duration.js';
import type { ReplayFakes } from './fakes.js';
import { DEFAULT_JUDGE, type JudgeOption, judgeModel, runJudgements } from './judge.js';
import {
  type LoadedSession,
  loadSessionFile,
  parseSessionText,
  validateSessionObject,
} from './load.js';
import { guardProcess } from './process-guard.js';
import type { ReplayClock } from './replay-clock.js';
import { buildResult } from './result.js';
import type { SessionScript } from './schema.js';
import { listItemPath } from './schema-expect.js';
import { ReplayStage } from './stage.js';
import type { EndReason, ReplayResult } from './types.js';

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
   * Wall-clock bound on the run in this process (after the file is read): when it trips the
   * run stops and the first error says so. It cannot stop code that never yields (a busy
   * loop): `voxagent replay` runs each file in a worker thread and bounds the whole file
   * there instead. Default 60 s; 0 disables it.
   */
  wallTimeoutMs?: number;
  /** Told when the replay moves to its next phase (the worker reports it on a timeout). */
  onPhase?: (phase: ReplayPhase) => void;
  /**
   * The model that judges `judge:` expectations (default: OpenAI from OPENAI_API_KEY). A file
   * with judged expectations and no judge fails with a JudgeConfigError before it runs.
   */
  judge?: JudgeOption;
}

/** What a replay is doing: reading the file, importing the agent, running, checking. */
export type ReplayPhase = 'parse' | 'import' | 'run' | 'close' | 'expect';

/** Virtual time allowed for close() beyond its own bounds before it counts as stuck. */
const CLOSE_SLACK_MS = 1000;

export async function runSessionFile(
  file: string,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  options.onPhase?.('parse');
  return runLoaded(await loadSessionFile(file), options);
}

/** Runs the text of a session file as if it were the file at `file` (paths resolve from there). */
export async function runSessionText(
  text: string,
  file: string,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  options.onPhase?.('parse');
  return runLoaded(parseSessionText(text, file), options);
}

function runLoaded(loaded: LoadedSession, options: ReplayOptions): Promise<ReplayResult> {
  const load = () => loadAgentFactory(loaded.agentPath, loaded.script.agent.export);
  return execute(loaded.script, loaded.file, givenAgent(options) ?? load, options, loaded.lineOf);
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
  return execute(script, file, givenAgent(options) ?? load, options, () => 0);
}

function givenAgent(options: ReplayOptions): (() => Promise<AgentFactory>) | undefined {
  const agent = options.agent;
  return agent ? async () => agentFactoryOf(agent, 'the given agent') : undefined;
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.split('\n')[0]}`;
  return String(err);
}

/** The judge's model when the file has judged expectations (it fails before the run). */
async function judgeFor(
  script: SessionScript,
  file: string,
  options: ReplayOptions,
  lineOf: (path: string) => number,
) {
  const history = script.expect.history;
  const judged = history?.items.findIndex((item) => item.judge) ?? -1;
  if (!history || judged < 0) return undefined;
  const path = `${listItemPath('expect.history', history, judged)}.judge`;
  const where = lineOf(path) > 0 ? `${file}:${lineOf(path)}` : file;
  return judgeModel(options.judge ?? DEFAULT_JUDGE, `${where}: ${path}`);
}

/** Starts the session and the timeline, and waits for the end of the run. */
async function play(
  stage: ReplayStage,
  script: SessionScript,
  loadFactory: () => Promise<AgentFactory>,
  options: ReplayOptions,
) {
  const { clock, driver, end } = stage;
  options.onPhase?.('import');
  const factory = await loadFactory();
  options.onPhase?.('run');
  await stage.start(factory);
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
  lineOf: (path: string) => number,
): Promise<ReplayResult> {
  const wallStart = performance.now();
  const judgeLlm = await judgeFor(script, file, options, lineOf);
  const stage = new ReplayStage(script, options);
  const errors: string[] = [];
  // Agent code's host timers and stray promises: located lines in the report, not a crash.
  const unguard = guardProcess((line) => errors.push(line));
  const wallMs = options.wallTimeoutMs ?? 60_000;
  let wallHit: string | undefined;
  const wallGuard =
    wallMs === 0
      ? undefined
      : setTimeout(() => {
          wallHit = `did not finish within ${formatDuration(wallMs)} of wall-clock time (wallTimeoutMs); stopped at ${formatDuration(stage.clock.now())} of virtual time`;
          stage.end.finish('error');
        }, wallMs);
  let endReason: EndReason = 'error';
  let loadError: AgentLoadError | undefined;
  try {
    endReason = await play(stage, script, loadFactory, options);
    if (script.run.close && !stage.session.closed && !wallHit) {
      options.onPhase?.('close');
      await closeSession(stage.session, stage.clock, script, errors);
    }
  } catch (err) {
    if (err instanceof AgentLoadError) loadError = err;
    else errors.push(describeError(err));
  } finally {
    clearTimeout(wallGuard);
    stage.clock.pause();
    stage.driver.stop();
    // Host timers already due (a tool's setTimeout(fn, 0)) and rejections fire first.
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setImmediate(r));
    unguard();
  }
  // An agent module that cannot be loaded is bad input, like an invalid file.
  if (loadError) throw new AgentLoadError(`${file}: agent: ${loadError.message}`);
  options.onPhase?.('expect');
  // When the bound tripped, that is the one line that explains everything after it.
  if (wallHit) errors.unshift(wallHit);
  const { result, judge } = buildResult({ ...stage, script, file, errors, endReason, wallStart });
  if (judgeLlm && judge.length > 0) {
    result.expectations.push(...(await runJudgements(judgeLlm, judge)));
    result.passed = result.passed && result.expectations.every((x) => x.passed);
  }
  for (const x of result.expectations) if (x.path !== undefined) x.line = lineOf(x.path);
  return result;
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
