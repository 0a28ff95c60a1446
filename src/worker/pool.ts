/**
 * Prewarmed job processes: `idle` of them are kept loaded (agent module, models, VAD,
 * rtc-node) so a job starts without paying for that; each is used for one job only.
 */
import type { JobProcess } from './job-process.js';
import type { WorkerLog } from './log.js';

export interface ProcessPoolOptions {
  /** How many loaded, unused processes to keep ready (at least 1). */
  readonly idle: number;
  readonly spawn: () => JobProcess;
  readonly log: WorkerLog;
}

/** After a process fails to load the agent, wait this long (doubling, up to the max) before the next. */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;

export class ProcessPool {
  readonly #o: ProcessPoolOptions;
  /** Loaded and unused, oldest first. */
  readonly #idle: JobProcess[] = [];
  /** Every process alive (warming, idle, running a job). */
  readonly #all = new Set<JobProcess>();
  #warming = 0;
  #retryMs = 0;
  #retryTimer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: ProcessPoolOptions) {
    this.#o = options;
  }

  /** Every live process, for CPU accounting and for ending them all. */
  get processes(): readonly JobProcess[] {
    return [...this.#all];
  }

  get idleCount(): number {
    return this.#idle.length;
  }

  /**
   * Starts warming the pool; resolves when the first process has loaded the agent, rejects
   * with its one-line reason if it could not (a problem with the agent or its models).
   */
  async start(): Promise<void> {
    const first = this.#spawn(false);
    await first.ready;
    if (this.#closed) first.kill('the worker is shutting down');
    else this.#idle.push(first);
    this.#fill();
  }

  /** A loaded process for a job: an idle one, or a new one when none is ready. */
  async take(): Promise<JobProcess> {
    let proc = this.#idle.shift();
    // One that has just exited is dropped here before the pool hears of it.
    while (proc && proc.state !== 'ready') proc = this.#idle.shift();
    this.#fill();
    if (proc) return proc;
    const fresh = this.#spawn(false);
    await fresh.ready;
    return fresh;
  }

  /** No more warming; idle processes end at once (running jobs are left alone). */
  close(): void {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    for (const proc of this.#idle.splice(0)) proc.kill('the worker is shutting down');
  }

  /** Ends every process at once, running jobs included. */
  killAll(reason: string): void {
    this.close();
    for (const proc of this.#all) proc.kill(reason);
  }

  #fill(): void {
    while (!this.#closed && !this.#retryTimer && this.#idle.length + this.#warming < this.#o.idle) {
      this.#spawn();
    }
  }

  /** A new process; `forPool`: it joins the idle list once loaded. */
  #spawn(forPool = true): JobProcess {
    const proc = this.#o.spawn();
    this.#all.add(proc);
    if (forPool) this.#warming++;
    proc.ready.then(
      () => {
        if (!forPool) return;
        this.#warming--;
        this.#retryMs = 0;
        if (this.#closed) proc.kill('the worker is shutting down');
        else this.#idle.push(proc);
      },
      (err: unknown) => {
        if (!forPool) return;
        this.#warming--;
        this.#retryLater(err instanceof Error ? err.message : String(err));
      },
    );
    void proc.ended.then(() => {
      this.#all.delete(proc);
      const at = this.#idle.indexOf(proc);
      if (at >= 0) {
        // An idle process went away (it crashed, or stopped answering): replace it.
        this.#idle.splice(at, 1);
        this.#o.log.warn('an idle job process exited; starting another');
        this.#fill();
      }
    });
    return proc;
  }

  #retryLater(reason: string): void {
    if (this.#closed) return;
    this.#retryMs = Math.min(this.#retryMs ? this.#retryMs * 2 : RETRY_FIRST_MS, RETRY_MAX_MS);
    this.#o.log.error('a job process could not load the agent', {
      error: reason,
      retry_in_s: this.#retryMs / 1000,
    });
    if (this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#fill();
    }, this.#retryMs);
    this.#retryTimer.unref();
  }
}
