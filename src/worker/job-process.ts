/**
 * The worker's hold on one job process: it forks it, loads the agent in it, gives it a job,
 * and watches it. A job process that stops answering pings (a blocked event loop) or grows
 * past its memory limit is killed; one that crashes ends its job as failed. Nothing that
 * happens in it reaches the worker or the other jobs.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { FromJobProcess, JobLaunch, JobProcessInit, ToJobProcess } from './ipc.js';
import type { JobEnd } from './job-context.js';
import type { WorkerLog } from './log.js';

export interface JobProcessOptions {
  readonly init: JobProcessInit;
  readonly log: WorkerLog;
  /** RSS above which the process is killed (also its V8 heap limit), MB. */
  readonly memoryLimitMb: number;
  /** No answer to pings for this long: the process is killed. */
  readonly unresponsiveMs: number;
  /** Loading the agent may take this long. */
  readonly initTimeoutMs: number;
  /** After `shutdown()`, the job may take this long to end before it is killed. */
  readonly closeTimeoutMs: number;
}

export type JobProcessState = 'starting' | 'ready' | 'running' | 'exited';

const PING_EVERY_MS = 1000;
const MB = 1024 * 1024;
/** The child entry next to this file (.js when built, .ts under tsx). */
const ENTRY = fileURLToPath(new URL(`./job-main${extname(import.meta.url)}`, import.meta.url));

export class JobProcess {
  /** Resolves when the agent is loaded; rejects with the one-line reason it could not be. */
  readonly ready: Promise<void>;
  /** Resolves with how the job ended (or why the process went away) once it has exited. */
  readonly ended: Promise<JobEnd>;
  readonly #o: JobProcessOptions;
  readonly #child: ChildProcess;
  #log: WorkerLog;
  #state: JobProcessState = 'starting';
  #launch: JobLaunch | null = null;
  #reported: JobEnd | null = null;
  #killedFor: string | null = null;
  /** V8 said it ran out of heap (its report runs to many lines; the tail may not show it). */
  #outOfMemory = false;
  #lastPongAt = Date.now();
  #cpuMicros = 0;
  #rssBytes = 0;
  readonly #stderrTail: string[] = [];
  readonly #timers: NodeJS.Timeout[] = [];
  #resolveReady!: () => void;
  #rejectReady!: (err: Error) => void;

  constructor(options: JobProcessOptions) {
    this.#o = options;
    this.#log = options.log;
    this.ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    this.#child = fork(ENTRY, [], {
      execArgv: [...process.execArgv, `--max-old-space-size=${options.memoryLimitMb}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'production' },
      serialization: 'json',
    });
    this.ended = new Promise((resolve) => {
      this.#child.on('close', (code, signal) => resolve(this.#onClose(code, signal)));
    });
    this.#child.on('error', (err) => this.#log.debug('job process error', { error: err.message }));
    this.#child.on('message', (m: FromJobProcess) => this.#onMessage(m));
    this.#pipeOutput();
    this.#send({ type: 'init', init: options.init });
    this.#after(options.initTimeoutMs, () => {
      if (this.#state === 'starting') {
        this.kill(
          `the job process did not load the agent within ${options.initTimeoutMs / 1000} s`,
        );
      }
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }
  get state(): JobProcessState {
    return this.#state;
  }
  get launch(): JobLaunch | null {
    return this.#launch;
  }
  /** CPU time the process has used so far (from its last answer to a ping), microseconds. */
  get cpuMicros(): number {
    return this.#cpuMicros;
  }
  get rssMb(): number {
    return Math.round(this.#rssBytes / MB);
  }

  /** Gives the ready process its job; `ended` says how it went. */
  start(launch: JobLaunch, log: WorkerLog): void {
    if (this.#state !== 'ready') throw new Error(`a ${this.#state} job process cannot take a job`);
    this.#state = 'running';
    this.#launch = launch;
    this.#log = log;
    this.#send({ type: 'start', launch });
  }

  /** Asks the job to end (session closes, agent leaves, shutdown callbacks); killed if slow. */
  shutdown(reason: string): void {
    if (this.#state === 'exited') return;
    if (this.#state !== 'running') {
      this.kill(reason);
      return;
    }
    this.#send({ type: 'shutdown', reason });
    const ms = this.#o.closeTimeoutMs;
    this.#after(ms, () => this.kill(`the job did not end within ${ms / 1000} s of: ${reason}`));
  }

  /** Ends the process at once; a running job ends as failed with `reason`. */
  kill(reason: string): void {
    if (this.#state === 'exited' || this.#killedFor) return;
    this.#killedFor = reason;
    this.#child.kill('SIGKILL');
  }

  #onMessage(m: FromJobProcess): void {
    switch (m.type) {
      case 'ready':
        if (this.#state !== 'starting') return;
        this.#state = 'ready';
        this.#lastPongAt = Date.now();
        this.#timers.push(setInterval(() => this.#ping(), PING_EVERY_MS));
        this.#resolveReady();
        return;
      case 'initFailed':
        this.#rejectReady(new Error(m.error));
        return;
      case 'pong':
        this.#onPong(m.rssBytes, m.cpuMicros);
        return;
      case 'log':
        this.#log.log(m.level, m.msg, m.fields);
        return;
      case 'joined':
        this.#log.info('job joined the room', { identity: this.#launch?.identity, pid: this.pid });
        return;
      case 'ended':
        this.#reported ??= { reason: m.reason, error: m.error };
        return;
    }
  }

  #ping(): void {
    const silentMs = Date.now() - this.#lastPongAt;
    if (silentMs > this.#o.unresponsiveMs) {
      this.kill(
        `the job process stopped responding for ${Math.round(silentMs / 1000)} s (its event loop is blocked)`,
      );
      return;
    }
    this.#send({ type: 'ping', sentAt: Date.now() });
  }

  #onPong(rssBytes: number, cpuMicros: number): void {
    this.#lastPongAt = Date.now();
    this.#rssBytes = rssBytes;
    this.#cpuMicros = cpuMicros;
    const limit = this.#o.memoryLimitMb;
    if (rssBytes > limit * MB) {
      this.kill(
        `the job process used ${this.rssMb} MB, over the ${limit} MB limit (--job-memory-limit)`,
      );
    }
  }

  #onClose(code: number | null, signal: NodeJS.Signals | null): JobEnd {
    const was = this.#state;
    this.#state = 'exited';
    for (const t of this.#timers) clearTimeout(t);
    const crash = this.#crashDescription(code, signal);
    if (was === 'starting') this.#rejectReady(new Error(this.#killedFor ?? crash));
    // A kill decides: a job that was killed failed, whatever it said before.
    if (this.#killedFor) return { reason: 'the job process was killed', error: this.#killedFor };
    return this.#reported ?? { reason: 'the job process exited', error: crash };
  }

  #crashDescription(code: number | null, signal: NodeJS.Signals | null): string {
    if (this.#outOfMemory) {
      return `the job process ran out of memory (over the ${this.#o.memoryLimitMb} MB limit, --job-memory-limit)`;
    }
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const last = this.#stderrTail.at(-1);
    return `the job process exited unexpectedly (${how})${last ? `: ${last}` : ''}`;
  }

  /** The agent's own console output becomes log lines of its job. */
  #pipeOutput(): void {
    const lines = (stream: NodeJS.ReadableStream | null, level: 'info' | 'warn') => {
      if (!stream) return;
      createInterface({ input: stream }).on('line', (line) => {
        if (line.trim() === '') return;
        if (level === 'warn') {
          if (/heap out of memory|Allocation failed/i.test(line)) this.#outOfMemory = true;
          this.#stderrTail.push(line.trim());
          if (this.#stderrTail.length > 5) this.#stderrTail.shift();
        }
        this.#log.log(level, 'job output', {
          stream: level === 'info' ? 'stdout' : 'stderr',
          line,
        });
      });
    };
    lines(this.#child.stdout, 'info');
    lines(this.#child.stderr, 'warn');
  }

  #send(message: ToJobProcess): void {
    if (!this.#child.connected) return;
    try {
      this.#child.send(message);
    } catch {
      // the process is going away; 'close' reports it
    }
  }

  #after(ms: number, fn: () => void): void {
    const t = setTimeout(fn, ms);
    t.unref();
    this.#timers.push(t);
  }
}
