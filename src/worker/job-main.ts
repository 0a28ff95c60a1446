/**
 * A job process: forked by the worker, it loads the agent module once (from the worker's
 * bundle) with its models and VAD, waits for one job, runs it and exits. Anything that goes
 * wrong in here (a throw, a crash, a hang, runaway memory) ends this process only.
 */
import { Worker } from 'node:worker_threads';
import { loadBuiltAgent } from '../cli/agent-bundle.js';
import { chooseModels } from '../cli/providers.js';
import type { LogLevel } from '../livekit/rtc-log.js';
import { errorMessage } from '../runtime/core/errors.js';
import type { FromJobProcess, JobLaunch, JobProcessInit, ToJobProcess } from './ipc.js';
import { JobControl } from './job-context.js';
import { type JobLog, type PreparedAgent, runJob } from './job-run.js';

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

let logLevel: LogLevel = 'info';
let prepared: Promise<PreparedAgent> | null = null;
let control: JobControl | null = null;
let exiting = false;

function send(message: FromJobProcess): void {
  if (!process.connected) return;
  try {
    process.send?.(message);
  } catch {
    // the worker is gone: the 'disconnect' handler ends the job
  }
}

const log: JobLog = (level, msg, fields) => {
  if (ORDER[level] >= ORDER[logLevel])
    send({ type: 'log', level, msg, ...(fields ? { fields } : {}) });
};

async function prepare(init: JobProcessInit): Promise<PreparedAgent> {
  const agent = await loadBuiltAgent(
    { outfile: init.bundle, files: init.bundleFiles },
    init.agentPath,
  );
  const models = await chooseModels(init.flags, agent.demo);
  const { createOfflineVAD } = await import('../audio/offline-vad.js');
  const vad = await createOfflineVAD();
  if (vad.kind === 'energy') log('warn', vad.reason);
  // Load rtc-node now, not when the job is waiting for it.
  await import('../livekit/index.js');
  return { factory: agent.factory, models: models, vad: vad.vad };
}

async function start(launch: JobLaunch): Promise<void> {
  if (control || !prepared) return;
  const job = new JobControl(launch.job, launch.identity, launch.workerId);
  control = job;
  const agent = await prepared;
  const end = await runJob(launch, agent, job, log, () => send({ type: 'joined' }));
  send({ type: 'ended', reason: end.reason, error: end.error });
  await leave(0);
}

/** Leaves once rtc-node has let go of its native side (bounded: it can hold the process). */
async function leave(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  setTimeout(() => process.exit(code), 2000).unref();
  try {
    const { dispose } = await import('@livekit/rtc-node');
    await dispose();
  } catch {
    // nothing to let go of
  }
  process.exit(code);
}

/** An error nobody caught ends the job as failed and this process, never the worker. */
function crash(err: unknown): void {
  const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  if (!exiting) send({ type: 'ended', reason: 'the job crashed', error: errorMessage(err) });
  log('error', `uncaught error in the job: ${error}`);
  void leave(1);
}

process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
process.on('disconnect', () => {
  // The worker went away: end the job as if told to, or leave at once when idle.
  if (control) control.end({ reason: 'the worker went away', error: null });
  else void leave(0);
});
// Ctrl+C in a terminal, or a service manager stopping the whole group, signals every
// process: the worker decides when a job ends (it drains), so a job process ignores them. If
// the worker dies, the IPC channel closes and 'disconnect' ends the job.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);

watchParent();

process.on('message', (message: ToJobProcess) => {
  switch (message.type) {
    case 'init':
      logLevel = message.init.logLevel;
      prepared = prepare(message.init);
      prepared.then(
        () => send({ type: 'ready' }),
        (err: unknown) => {
          send({ type: 'initFailed', error: errorMessage(err) });
          void leave(2);
        },
      );
      return;
    case 'start':
      void start(message.launch).catch(crash);
      return;
    case 'shutdown':
      if (control) control.end({ reason: message.reason, error: null });
      else void leave(0);
      return;
    case 'ping':
      send({
        type: 'pong',
        sentAt: message.sentAt,
        rssBytes: process.memoryUsage.rss(),
        cpuMicros: cpuMicros(),
      });
      return;
  }
});

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * If the worker dies without a word (SIGKILL, a crash) the IPC channel closes and
 * 'disconnect' ends the job, unless the job's event loop is blocked. A thread of its own
 * sees the worker gone (this process re-parented) and ends the process even then.
 */
function watchParent(): void {
  const code = `
    const { workerData } = require('node:worker_threads');
    setInterval(() => {
      if (process.ppid !== workerData.ppid) process.kill(workerData.pid, 'SIGKILL');
    }, 1000);
  `;
  const watcher = new Worker(code, {
    eval: true,
    workerData: { ppid: process.ppid, pid: process.pid },
    resourceLimits: { maxOldGenerationSizeMb: 8 },
  });
  watcher.unref();
}
