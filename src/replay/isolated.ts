import { Worker } from 'node:worker_threads';
import { runningCompiled } from '../loader/bundle-module.js';
import { formatDuration } from './duration.js';
import type { FileJob, FileOutcome, Progress } from './file-job.js';
import type { JudgeSetting } from './judge.js';
import type { WorkerInput, WorkerMessage } from './worker-protocol.js';

/**
 * Runs session files each in its own worker thread, a few at a time, each under a
 * wall-clock bound that covers reading, importing, running and checking. Whatever agent
 * code does (exit, throw from a host timer, loop forever, never finish importing), the
 * file gets an outcome and the others still run.
 */

export interface IsolationOptions {
  /** Wall-clock bound per file. */
  timeoutMs: number;
  /** Files run at the same time. */
  jobs: number;
  judge?: JudgeSetting;
}

/** One file's outcome and what its agent code printed (stdout and stderr, as they came). */
export interface IsolatedRun {
  outcome: FileOutcome;
  output: string;
}

/** Output kept per file: the tail of a chatty agent is what matters. */
const MAX_OUTPUT_CHARS = 64 * 1024;

function workerEntry(): { url: URL; entry?: string } {
  if (runningCompiled) return { url: new URL('./worker.js', import.meta.url) };
  // From sources (tests): a bootstrap registers tsx in the thread, then loads worker.ts.
  return {
    url: new URL('./worker-tsx.mjs', import.meta.url),
    entry: new URL('./worker.ts', import.meta.url).href,
  };
}

const PHASES: Record<Progress['phase'], string> = {
  parse: 'while reading the session file',
  import: 'while importing the agent module',
  run: 'while running',
  close: 'while closing the session',
  expect: 'while checking the expectations',
};

function timeoutReason(ms: number, progress: Progress): string {
  const where =
    progress.phase === 'run' || progress.phase === 'close'
      ? `${PHASES[progress.phase]} (at ${formatDuration(progress.virtualMs)} of virtual time, after ${progress.userTurns} user turns)`
      : PHASES[progress.phase];
  return `did not finish within ${formatDuration(ms)} (--timeout): stopped ${where}`;
}

/** Runs one file in a fresh worker thread; always resolves. */
export function runInWorker(job: FileJob, options: IsolationOptions): Promise<IsolatedRun> {
  const { url, entry } = workerEntry();
  const input: WorkerInput = {
    job,
    ...(entry ? { entry } : {}),
    ...(options.judge ? { judge: options.judge } : {}),
  };
  const worker = new Worker(url, { workerData: input, stdout: true, stderr: true });
  let output = '';
  const keep = (chunk: Buffer | string) => {
    output = (output + chunk.toString()).slice(-MAX_OUTPUT_CHARS);
  };
  worker.stdout.on('data', keep);
  worker.stderr.on('data', keep);
  let progress: Progress = { phase: 'parse', virtualMs: 0, userTurns: 0 };
  return new Promise((resolve) => {
    let settled: FileOutcome | undefined;
    const finish = (outcome: FileOutcome) => {
      if (settled) return;
      settled = outcome;
      clearTimeout(timer);
      // The outcome is in: whatever the agent left running ends with the thread.
      void worker.terminate().then(() => resolve({ outcome, output }));
    };
    const timer = setTimeout(
      () =>
        finish({
          kind: 'timeout',
          file: job.file,
          reason: timeoutReason(options.timeoutMs, progress),
        }),
      options.timeoutMs,
    );
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') progress = message.progress;
      else if (message.type === 'done') finish(message.outcome);
      else {
        const where = message.where ? ` at ${message.where}` : '';
        const reason = `agent code called process.exit(${message.code})${where} ${PHASES[progress.phase]}`;
        finish({ kind: 'crashed', file: job.file, reason });
      }
    });
    worker.on('error', (err) => {
      const reason = `the replay's thread failed ${PHASES[progress.phase]}: ${err.message.split('\n')[0]}`;
      finish({ kind: 'crashed', file: job.file, reason });
    });
    worker.on('exit', (code) => {
      const reason = `the replay's thread stopped (exit code ${code}) ${PHASES[progress.phase]}`;
      finish({ kind: 'crashed', file: job.file, reason });
    });
  });
}

/**
 * Runs the jobs with at most `options.jobs` at once. `onRun` gets each file's run in the
 * order of `jobs` (later files wait for earlier ones to be reported); it returns false to
 * stop the rest (running files are abandoned, queued ones never start).
 */
export async function runIsolated(
  jobs: readonly FileJob[],
  options: IsolationOptions,
  onRun: (index: number, run: IsolatedRun) => boolean | undefined,
): Promise<void> {
  const done = new Map<number, IsolatedRun>();
  let next = 0;
  let reported = 0;
  let stopped = false;
  const report = () => {
    while (!stopped && done.has(reported)) {
      if (onRun(reported, done.get(reported)!) === false) stopped = true;
      reported++;
    }
  };
  const lane = async () => {
    while (!stopped && next < jobs.length) {
      const index = next++;
      done.set(index, await runInWorker(jobs[index]!, options));
      report();
    }
  };
  const lanes = Math.max(1, Math.min(options.jobs, jobs.length));
  await Promise.all(Array.from({ length: lanes }, lane));
}
