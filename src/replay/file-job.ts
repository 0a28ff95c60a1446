import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SessionEvent } from '../runtime/events/types.js';
import { AgentLoadError } from './agent-loader.js';
import { eventsToJsonl } from './canonical.js';
import { formatResult } from './format.js';
import { SessionFileError } from './load.js';
import { describeThrown } from './process-guard.js';
import { type ReplayOptions, type ReplayPhase, runSessionFile } from './runner.js';
import { toChromeTrace } from './trace.js';
import { type ReplayResult, type ReplayResultJson, replayResultJson } from './types.js';

/**
 * One session file of `voxagent replay`, from reading it to its report: what runs inside
 * the file's worker thread. Everything it returns is plain data (it crosses the thread).
 */

export interface FileJob {
  file: string;
  /** Where to write the canonical JSONL events, if asked. */
  eventsPath?: string;
  /** Where to write the Chrome trace, if asked. */
  tracePath?: string;
}

/** How one file went. Every kind but `result` fails the file. */
export type FileOutcome =
  /** It ran: the result (passed or not) and its human report. */
  | { kind: 'result'; file: string; result: ReplayResultJson; report: string }
  /** Bad input: the file does not validate or its agent does not load (exit code 2). */
  | { kind: 'invalid'; file: string; errors: string[] }
  /** The run could not finish: agent code ended the thread, or the replay itself failed. */
  | { kind: 'crashed'; file: string; reason: string }
  /** The wall-clock bound stopped it. */
  | { kind: 'timeout'; file: string; reason: string }
  /** The run cannot be done as configured (a judge without a model): stop everything. */
  | { kind: 'config'; file: string; message: string };

/** Where a file's replay is, for a report when the bound stops it. */
export interface Progress {
  phase: ReplayPhase;
  virtualMs: number;
  userTurns: number;
}

export interface JobHooks {
  onProgress?: (progress: Progress) => void;
  /** Passed to the runner (e.g. the judge model). */
  replay?: Omit<ReplayOptions, 'onPhase' | 'onEvent' | 'wallTimeoutMs'>;
}

/** Progress is sent when the phase changes and at most this often while running. */
const PROGRESS_EVERY_MS = 250;

export async function runFileJob(job: FileJob, hooks: JobHooks = {}): Promise<FileOutcome> {
  const progress: Progress = { phase: 'parse', virtualMs: 0, userTurns: 0 };
  let sentAt = 0;
  const send = (force: boolean) => {
    const now = performance.now();
    if (!force && now - sentAt < PROGRESS_EVERY_MS) return;
    sentAt = now;
    hooks.onProgress?.({ ...progress });
  };
  const onEvent = (e: SessionEvent) => {
    progress.virtualMs = e.t;
    if (e.type === 'user.turn') progress.userTurns++;
    // Each turn is reported: agent code that hangs runs right after one.
    send(e.type === 'user.turn');
  };
  try {
    const result = await runSessionFile(job.file, {
      ...hooks.replay,
      // The worker's own bound covers this file; a second, hidden one would only confuse.
      wallTimeoutMs: 0,
      onEvent,
      onPhase: (phase) => {
        progress.phase = phase;
        send(true);
      },
    });
    await writeOutputs(result, job);
    return {
      kind: 'result',
      file: job.file,
      result: replayResultJson(result),
      report: formatResult(result),
    };
  } catch (err) {
    return failedOutcome(job.file, err);
  }
}

function failedOutcome(file: string, err: unknown): FileOutcome {
  if (err instanceof SessionFileError)
    return { kind: 'invalid', file, errors: err.message.split('\n') };
  if (err instanceof AgentLoadError) return { kind: 'invalid', file, errors: [err.message] };
  const exitCode = (err as { exitCode?: unknown }).exitCode;
  if (exitCode === 2 && err instanceof Error) return { kind: 'config', file, message: err.message };
  return { kind: 'crashed', file, reason: `the replay failed: ${describeThrown(err)}` };
}

async function writeOutputs(result: ReplayResult, job: FileJob): Promise<void> {
  if (job.eventsPath) {
    await mkdir(dirname(job.eventsPath), { recursive: true });
    await writeFile(job.eventsPath, eventsToJsonl(result.eventLog));
  }
  if (job.tracePath) {
    await mkdir(dirname(job.tracePath), { recursive: true });
    const trace = toChromeTrace(result.eventLog, {
      name: result.name,
      endMs: result.virtualMs,
      eventsHash: result.eventsHash,
    });
    await writeFile(job.tracePath, `${JSON.stringify(trace)}\n`);
  }
}

/** The one line that says why a file failed without a result. */
export function outcomeLine(outcome: Exclude<FileOutcome, { kind: 'result' }>): string {
  switch (outcome.kind) {
    case 'invalid':
      return outcome.errors.join('\n');
    case 'crashed':
    case 'timeout':
      return `✗ ${outcome.file}: ${outcome.reason}`;
    case 'config':
      return outcome.message;
  }
}
