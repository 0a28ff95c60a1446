import { readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, extname, join } from 'node:path';
import { UsageError } from '../runtime/core/errors.js';
import { parseDuration } from './duration.js';
import { type FileJob, type FileOutcome, outcomeLine } from './file-job.js';
import { type IsolatedRun, runIsolated } from './isolated.js';
import { type JudgeSetting, parseJudgeSetting } from './judge.js';
import { githubAnnotations, junitXml, type ReportedFile } from './report-ci.js';

/**
 * `voxagent replay <paths...>`: every session file in its own worker thread under a
 * wall-clock bound, reported as it finishes (in the order given), then one summary line.
 * Exit code: 0 every file passed, 1 a file failed (or crashed, or timed out), 2 bad input
 * (a file that does not validate, an agent that does not load, no session file, a judge
 * without a model).
 */

export type ReporterName = 'human' | 'json' | 'junit' | 'github';

export interface ReplayFlags {
  /** Same as `reporter: 'json'`. */
  json?: boolean;
  reporter?: ReporterName;
  /** Canonical JSONL events: a file for one session file, a folder for several. */
  events?: string;
  /** Chrome trace: a file for one session file, a folder for several. */
  trace?: string;
  /** Wall-clock bound per file, e.g. `60s`. Default 60 s. */
  timeout?: string;
  /** Files replayed at the same time. Default: the cores, at most 4. */
  jobs?: string | number;
  /** `openai` or `openai:<model>`: the model that judges `judge:` expectations. */
  judgeLlm?: string;
}

export interface ReplayIO {
  out(text: string): void;
  err(text: string): void;
}

const processIO: ReplayIO = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

export const DEFAULT_TIMEOUT_MS = 60_000;
const SESSION_EXTENSIONS = new Set(['.yaml', '.yml']);

/** Files as given, folders expanded to their *.yaml / *.yml files, subfolders included (sorted). */
export async function expandSessionPaths(
  paths: readonly string[],
): Promise<{ files: string[]; missing: string[] }> {
  const files: string[] = [];
  const missing: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => null);
    if (!info) missing.push(p);
    else if (!info.isDirectory()) files.push(p);
    else files.push(...(await sessionFilesIn(p)));
  }
  return { files, missing };
}

/** A folder's session files, then those of its subfolders (each sorted by name). */
async function sessionFilesIn(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const here = entries
    .filter((e) => e.isFile() && SESSION_EXTENSIONS.has(extname(e.name)))
    .map((e) => join(dir, e.name));
  const below: string[] = [];
  for (const e of entries) {
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) {
      below.push(...(await sessionFilesIn(join(dir, e.name))));
    }
  }
  return [...here, ...below];
}

interface Settings {
  reporter: ReporterName;
  timeoutMs: number;
  jobs: number;
  judge?: JudgeSetting;
}

function settingsFrom(flags: ReplayFlags): Settings {
  const timeoutMs = flags.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(flags.timeout);
  if (timeoutMs === null || timeoutMs <= 0) {
    throw new UsageError(`--timeout: expected a duration like 90s or 2m, got "${flags.timeout}"`);
  }
  const jobs = flags.jobs === undefined ? Math.min(4, availableParallelism()) : Number(flags.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new UsageError(`--jobs: expected a whole number of 1 or more, got "${flags.jobs}"`);
  }
  const judge = flags.judgeLlm === undefined ? undefined : parseJudgeSetting(flags.judgeLlm);
  if (judge === null) {
    throw new UsageError(`--judge-llm: expected openai or openai:<model>, got "${flags.judgeLlm}"`);
  }
  const reporter = flags.json ? 'json' : (flags.reporter ?? 'human');
  return { reporter, timeoutMs, jobs, ...(judge ? { judge } : {}) };
}

/** With several files, `--events` / `--trace` name a folder: one file per session file. */
async function outputFolder(flag: string, value: string | undefined): Promise<string | null> {
  if (value === undefined) return null;
  const info = await stat(value).catch(() => null);
  if (info && !info.isDirectory()) {
    throw new UsageError(
      `${flag} ${value}: several session files write one file each into a folder, and ${value} is a file`,
    );
  }
  if (!info && /\.jsonl?$/i.test(value)) {
    throw new UsageError(
      `${flag} ${value}: several session files write one file each into a folder; name a folder (e.g. ${value.replace(/\.jsonl?$/i, '')}/)`,
    );
  }
  return null;
}

/** Where each file's outputs go: the flag itself for one file, `<folder>/<name><suffix>` for several. */
function outputPaths(files: readonly string[], target: string, suffix: string): string[] {
  if (files.length === 1) return [target];
  const used = new Map<string, number>();
  return files.map((file) => {
    const name = basename(file, extname(file));
    const n = (used.get(name) ?? 0) + 1;
    used.set(name, n);
    return join(target, `${n === 1 ? name : `${name}-${n}`}${suffix}`);
  });
}

function jobsFor(files: readonly string[], flags: ReplayFlags): FileJob[] {
  const events = flags.events ? outputPaths(files, flags.events, '.jsonl') : null;
  const traces = flags.trace ? outputPaths(files, flags.trace, '.trace.json') : null;
  return files.map((file, i) => ({
    file,
    ...(events ? { eventsPath: events[i]! } : {}),
    ...(traces ? { tracePath: traces[i]! } : {}),
  }));
}

function jsonLine(outcome: FileOutcome): string {
  switch (outcome.kind) {
    case 'result':
      return JSON.stringify(outcome.result);
    case 'invalid':
      return JSON.stringify({
        file: outcome.file,
        passed: false,
        invalid: true,
        errors: outcome.errors,
      });
    case 'crashed':
    case 'timeout':
      return JSON.stringify({
        file: outcome.file,
        passed: false,
        [outcome.kind]: true,
        errors: [outcome.reason],
      });
    case 'config':
      return JSON.stringify({
        file: outcome.file,
        passed: false,
        invalid: true,
        errors: [outcome.message],
      });
  }
}

/** Prints one file as the reporter wants it (JUnit waits for the end). */
function reportFile(reporter: ReporterName, run: IsolatedRun, io: ReplayIO): void {
  const { outcome, output } = run;
  if (reporter === 'json') io.out(jsonLine(outcome));
  else if (reporter !== 'junit') {
    if (outcome.kind === 'result') io.out(outcome.report);
    else if (outcome.kind === 'invalid') io.err(outcomeLine(outcome));
    else io.out(outcomeLine(outcome));
    if (reporter === 'github') for (const line of githubAnnotations(outcome)) io.out(line);
  }
  // What the agent printed goes to stderr, after its file: stdout stays the report's.
  if (output.trim() && reporter !== 'junit') io.err(output.trimEnd());
}

function passedOf(outcome: FileOutcome): boolean {
  return outcome.kind === 'result' && outcome.result.passed;
}

export function formatRunSummary(outcomes: readonly FileOutcome[]): string {
  const failed = outcomes.filter((o) => !passedOf(o)).length;
  const count = (kind: FileOutcome['kind']) => outcomes.filter((o) => o.kind === kind).length;
  const notes = [
    count('invalid') > 0 ? `${count('invalid')} invalid` : '',
    count('crashed') > 0 ? `${count('crashed')} crashed` : '',
    count('timeout') > 0 ? `${count('timeout')} timed out` : '',
  ].filter(Boolean);
  const files = `${outcomes.length} session file${outcomes.length === 1 ? '' : 's'}`;
  return `${outcomes.length - failed} passed, ${failed} failed (${[files, ...notes].join(', ')})`;
}

export async function replayCommand(
  paths: string[],
  flags: ReplayFlags = {},
  io: ReplayIO = processIO,
): Promise<number> {
  let settings: Settings;
  try {
    settings = settingsFrom(flags);
  } catch (err) {
    io.err((err as Error).message);
    return 2;
  }
  const { files, missing } = await expandSessionPaths(paths);
  for (const m of missing) io.err(`${m}: no such file or folder`);
  if (paths.length === 0) io.err('give session files or folders to replay');
  else if (files.length === 0 && missing.length === 0) {
    io.err(`no session files (*.yaml, *.yml) in ${paths.join(', ')}`);
  }
  if (files.length === 0) return 2;
  try {
    if (files.length > 1) {
      await outputFolder('--events', flags.events);
      await outputFolder('--trace', flags.trace);
    }
  } catch (err) {
    io.err((err as Error).message);
    return 2;
  }
  const reported: ReportedFile[] = [];
  let config: string | undefined;
  await runIsolated(jobsFor(files, flags), settings, (_index, run) => {
    if (run.outcome.kind === 'config') {
      config = run.outcome.message;
      return false;
    }
    reported.push(run);
    reportFile(settings.reporter, run, io);
    return true;
  });
  // Nothing is judged without a judge: the run stops with one line saying how to set one.
  if (config !== undefined) {
    io.err(config);
    return 2;
  }
  const outcomes = reported.map((r) => r.outcome);
  if (settings.reporter === 'junit') io.out(junitXml(reported));
  const summary = formatRunSummary(outcomes);
  if (settings.reporter === 'human' || settings.reporter === 'github') io.out(summary);
  else io.err(summary);
  if (missing.length > 0 || outcomes.some((o) => o.kind === 'invalid')) return 2;
  return outcomes.every(passedOf) ? 0 : 1;
}
