import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../runtime/core/errors.js';
import { type HealthServer, startHealthServer } from '../worker/health.js';
import type { JobProcessInit } from '../worker/ipc.js';
import { JobProcess } from '../worker/job-process.js';
import { WorkerLog } from '../worker/log.js';
import { parseStartFlags, type StartFlags, type WorkerSettings } from '../worker/options.js';
import { ProcessPool } from '../worker/pool.js';
import { buildAgentBundle, loadBuiltAgent } from './agent-bundle.js';
import { exitSoon, packageRoot } from './dev.js';
import { checkProviderKeys, type ProviderFlags } from './providers.js';

export type { StartFlags };

/** Loading the agent in a job process may take this long (a busy machine is slow). */
const INIT_TIMEOUT_MS = 60_000;
/** Session close and shutdown callbacks are bounded at 10 s each inside the job. */
const JOB_CLOSE_TIMEOUT_MS = 25_000;

/**
 * `voxagent start [agent-file]`: a worker that registers with a LiveKit server and runs the
 * jobs it is dispatched, each in its own job process. No screen: structured logs on stdout.
 * Settings, the agent module, the health port, the credentials and the server are checked
 * before anything runs: a problem is one line and a non-zero exit.
 */
export async function startCommand(
  agentFile: string | undefined,
  flags: StartFlags,
  version: string,
): Promise<number> {
  const settings = parseStartFlags(flags);
  await checkProviderKeys(flags);
  const file = agentFile ?? join(packageRoot(), 'examples', 'front-desk.ts');
  const log = new WorkerLog({
    level: settings.logLevel,
    format: settings.logFormat,
    secrets: [settings.apiSecret, process.env.OPENAI_API_KEY, process.env.DEEPGRAM_API_KEY],
  });
  const bundle = await buildAgentBundle(file);
  // Bundled once for the worker's life: esbuild's service process is not needed again.
  await import('esbuild').then((esbuild) => esbuild.stop());
  const removeBundle = () => rmSync(bundle.outfile, { force: true });
  process.once('exit', removeBundle);
  try {
    await loadBuiltAgent(bundle, file);
    return await runWorker(settings, providerFlags(flags), log, version, {
      bundle: bundle.outfile,
      bundleFiles: bundle.files,
      agentPath: file,
    });
  } finally {
    removeBundle();
  }
}

async function runWorker(
  settings: WorkerSettings,
  flags: ProviderFlags,
  log: WorkerLog,
  version: string,
  agent: Pick<JobProcessInit, 'bundle' | 'bundleFiles' | 'agentPath'>,
): Promise<number> {
  const { AgentWorker } = await import('../worker/agent-worker.js');
  const pool = new ProcessPool({
    idle: settings.idleProcesses,
    log,
    spawn: () =>
      new JobProcess({
        init: { ...agent, flags, logLevel: settings.logLevel },
        log,
        memoryLimitMb: settings.jobMemoryLimitMb,
        unresponsiveMs: settings.unresponsiveMs,
        initTimeoutMs: INIT_TIMEOUT_MS,
        closeTimeoutMs: JOB_CLOSE_TIMEOUT_MS,
      }),
  });
  const worker = new AgentWorker({ ...settings, version, pool, log });
  let health: HealthServer | undefined;
  const signals = new SignalHandling(worker, log);
  try {
    health = await startHealthServer(settings.healthPort, '0.0.0.0', {
      health: () =>
        worker.registered
          ? { ok: true, message: worker.draining ? 'OK (draining)' : 'OK' }
          : { ok: false, message: 'not registered with a LiveKit server' },
      info: () => worker.info(),
    });
    log.info('starting worker', {
      agent: agent.agentPath,
      url: settings.url,
      agent_name: settings.agentName,
      version,
      health_port: health.port,
      idle_processes: settings.idleProcesses,
    });
    // The first job process loads the agent while the worker registers: either failing is
    // one line, and no job is taken before a process could load the agent.
    await Promise.all([
      pool.start().catch((err: unknown) => {
        throw new UsageError(err instanceof Error ? err.message : String(err));
      }),
      // Registered: from here a signal drains (a job may already be on its way).
      worker.connect().then(() => {
        signals.running = true;
      }),
    ]);
    await worker.serve();
    return signals.code;
  } catch (err) {
    pool.killAll('the worker could not start');
    worker.stopNow('the worker could not start');
    if (signals.code !== 0) return signals.code;
    throw err;
  } finally {
    signals.dispose();
    await health?.close();
    exitSoon(signals.code);
  }
}

interface Stoppable {
  drain(): Promise<void>;
  stopNow(reason: string): void;
}

/**
 * First SIGTERM/SIGINT drains; a second ends at once (exit 128 + signal number). Before the
 * worker has registered, the first one stops it.
 */
class SignalHandling {
  code = 0;
  running = false;
  readonly #worker: Stoppable;
  readonly #log: WorkerLog;
  readonly #handler: (signal: NodeJS.Signals) => void;
  #seen = 0;

  constructor(worker: Stoppable, log: WorkerLog) {
    this.#worker = worker;
    this.#log = log;
    this.#handler = (signal) => this.#on(signal);
    process.on('SIGTERM', this.#handler);
    process.on('SIGINT', this.#handler);
  }

  #on(signal: NodeJS.Signals): void {
    this.#seen++;
    if (this.#seen === 1 && this.running) {
      this.#log.info(`${signal}: draining (a second signal stops at once)`);
      void this.#worker.drain();
      return;
    }
    this.code = signal === 'SIGINT' ? 130 : 143;
    this.#log.warn(`${signal}: stopping now`);
    this.#worker.stopNow(`the worker was stopped (${signal})`);
    // Nothing waits on a worker told twice to stop.
    setTimeout(() => process.exit(this.code), 1000).unref();
  }

  dispose(): void {
    process.off('SIGTERM', this.#handler);
    process.off('SIGINT', this.#handler);
  }
}

function providerFlags(flags: StartFlags): ProviderFlags {
  const { llm, llmModel, tts, ttsModel, voice, stt, sttModel } = flags;
  const all = { llm, llmModel, tts, ttsModel, voice, stt, sttModel };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}
