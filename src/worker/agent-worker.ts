/**
 * A voxagent worker as LiveKit's agent service sees it: it registers (JT_ROOM, agent name,
 * version, permissions), reports its status, load and job count at least every 2.5 s, takes
 * the jobs LiveKit offers, and stays registered: a dropped connection is retried with
 * backoff and re-registered while running jobs go on. Draining refuses new jobs, keeps the
 * connection, waits for the running ones (up to the drain timeout), then ends.
 */
import { JobType, ParticipantPermission, WorkerStatus } from '@livekit/protocol';
import { AgentSocket, WorkerConnectError } from './connection.js';
import { JobBoard } from './job-board.js';
import { CpuLoad, workerLoad } from './load.js';
import type { WorkerLog } from './log.js';
import type { ProcessPool } from './pool.js';

/** The worker protocol version this worker speaks (LiveKit's CurrentProtocol). */
export const WORKER_PROTOCOL_VERSION = 1;
const STATUS_EVERY_MS = 2500;
const OPEN_TIMEOUT_MS = 4000;
const REGISTER_TIMEOUT_MS = 5000;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;

export interface AgentWorkerOptions {
  readonly url: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly agentName: string;
  readonly version: string;
  readonly loadThreshold: number;
  readonly maxJobs: number | null;
  readonly drainTimeoutMs: number;
  readonly pool: ProcessPool;
  readonly log: WorkerLog;
}

export class AgentWorker {
  readonly #o: AgentWorkerOptions;
  readonly #log: WorkerLog;
  readonly #jobs: JobBoard;
  readonly #cpu = new CpuLoad();
  #socket: AgentSocket | null = null;
  #workerId = '';
  #cpuLoad = 0;
  #full = false;
  #statusTimer: NodeJS.Timeout | null = null;
  #draining: Promise<void> | null = null;
  #stopped = false;
  #wakeBackoff: () => void = () => undefined;
  #jobsChanged: () => void = () => undefined;

  constructor(options: AgentWorkerOptions) {
    this.#o = options;
    this.#log = options.log;
    this.#jobs = new JobBoard({
      agentName: options.agentName,
      url: options.url,
      pool: options.pool,
      log: options.log,
      send: (m) => this.#socket?.send(m),
      refusal: () => this.#refusal(),
      workerId: () => this.#workerId,
      changed: () => {
        this.#report();
        this.#jobsChanged();
      },
    });
  }

  /** Registered with LiveKit over an open connection. */
  get registered(): boolean {
    return this.#socket?.open === true && this.#workerId !== '';
  }
  get draining(): boolean {
    return this.#draining !== null;
  }

  /** What `/worker` shows. */
  info(): Record<string, unknown> {
    return {
      worker_id: this.#workerId || null,
      agent_name: this.#o.agentName,
      worker_type: JobType[JobType.JT_ROOM],
      registered: this.registered,
      status: this.#status() === WorkerStatus.WS_FULL ? 'full' : 'available',
      draining: this.draining,
      load: Math.round(this.#load() * 1000) / 1000,
      load_threshold: this.#o.loadThreshold,
      active_jobs: this.#jobs.running.length,
      max_jobs: this.#o.maxJobs,
      idle_processes: this.#o.pool.idleCount,
      jobs: this.#jobs.running.map((j) => ({
        id: j.launch.job.id,
        room: j.launch.job.room.name,
        started_at: new Date(j.startedAt).toISOString(),
        rss_mb: j.process?.rssMb ?? null,
      })),
      version: this.#o.version,
      protocol_version: WORKER_PROTOCOL_VERSION,
    };
  }

  /** Connects and registers once; a refusal or no server is a WorkerConnectError (fail fast). */
  async connect(): Promise<void> {
    await this.#connectOnce();
    this.#statusTimer = setInterval(() => this.#report(true), STATUS_EVERY_MS);
  }

  /** Stays registered until stopped: resolves when the worker is done. */
  async serve(): Promise<void> {
    while (!this.#stopped) {
      const socket = this.#socket;
      if (!socket) break;
      const { code, reason } = await socket.closed;
      this.#socket = null;
      if (this.#stopped) break;
      this.#log.warn('lost the connection to the LiveKit server; reconnecting', {
        code,
        reason: reason || undefined,
        jobs: this.#jobs.running.length,
      });
      await this.#reconnect();
    }
  }

  /** First signal: refuse new jobs, let running ones finish (bounded), then stop. */
  drain(): Promise<void> {
    this.#draining ??= this.#drain();
    return this.#draining;
  }

  /** Second signal: every job ends now; the connection closes. */
  stopNow(reason: string): void {
    this.#jobs.killAll(reason);
    this.#o.pool.killAll(reason);
    this.#stop();
  }

  async #drain(): Promise<void> {
    const running = this.#jobs.running.length;
    this.#log.info('draining: no new jobs; waiting for the running ones', {
      jobs: running,
      drain_timeout_s: this.#o.drainTimeoutMs / 1000,
    });
    this.#report();
    this.#o.pool.close();
    const finished = await this.#jobsDone(this.#o.drainTimeoutMs);
    if (!finished) {
      this.#log.warn('drain timeout: ending the jobs still running', {
        jobs: this.#jobs.running.length,
      });
      this.#jobs.endAll('the worker is shutting down (drain timeout)');
      await this.#jobsDone(Number.POSITIVE_INFINITY);
    }
    this.#log.info('drained: every job has ended');
    this.#stop();
  }

  #stop(): void {
    this.#stopped = true;
    if (this.#statusTimer) clearInterval(this.#statusTimer);
    this.#wakeBackoff();
    this.#socket?.close();
  }

  /** Resolves true once no job is left, false after `ms`. */
  #jobsDone(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => resolve(false), ms) : null;
      const check = () => {
        if (!this.#jobs.empty) return;
        if (timer) clearTimeout(timer);
        this.#jobsChanged = () => undefined;
        resolve(true);
      };
      this.#jobsChanged = check;
      check();
    });
  }

  async #connectOnce(): Promise<void> {
    const socket = await AgentSocket.open({
      url: this.#o.url,
      apiKey: this.#o.apiKey,
      apiSecret: this.#o.apiSecret,
      openTimeoutMs: OPEN_TIMEOUT_MS,
    });
    const registration = {
      type: JobType.JT_ROOM,
      agentName: this.#o.agentName,
      version: this.#o.version,
      allowedPermissions: new ParticipantPermission({
        canPublish: true,
        canSubscribe: true,
        canPublishData: true,
        canUpdateMetadata: true,
        agent: true,
      }),
    };
    const answer = await socket.register(registration, this.#o.url, REGISTER_TIMEOUT_MS);
    this.#workerId = answer.workerId;
    this.#socket = socket;
    socket.onMessage((m) => {
      switch (m.message.case) {
        case 'availability':
          this.#jobs.onAvailability(m.message.value);
          return;
        case 'assignment':
          this.#jobs.onAssignment(m.message.value);
          return;
        case 'termination': {
          const { jobId } = m.message.value;
          this.#log.info('job termination requested by the server', { job_id: jobId });
          this.#jobs.end(jobId, 'terminated by the LiveKit server');
          return;
        }
      }
    });
    this.#log.info('registered with the LiveKit server', {
      worker_id: answer.workerId,
      agent_name: this.#o.agentName,
      dispatch: this.#o.agentName ? 'explicit' : 'automatic',
      url: this.#o.url,
      server_version: answer.serverInfo?.version,
      jobs: this.#jobs.running.length,
    });
    // The server knows nothing of this worker yet: tell it the status and the running jobs.
    this.#report();
  }

  /** Retries with backoff until registered again or stopped; errors are logged, not fatal. */
  async #reconnect(): Promise<void> {
    for (let attempt = 1; !this.#stopped; attempt++) {
      const ms = Math.min(BACKOFF_FIRST_MS * 2 ** (attempt - 1), BACKOFF_MAX_MS);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.#wakeBackoff = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (this.#stopped) return;
      try {
        await this.#connectOnce();
        return;
      } catch (err) {
        const message = err instanceof WorkerConnectError ? err.message : String(err);
        this.#log.warn('reconnecting failed', { attempt, error: message });
      }
    }
  }

  #refusal(): string | null {
    if (this.#draining) return 'the worker is draining';
    if (this.#o.maxJobs !== null && this.#jobs.committed >= this.#o.maxJobs) {
      return `it runs --max-jobs ${this.#o.maxJobs} jobs`;
    }
    if (this.#cpuLoad >= this.#o.loadThreshold) {
      return `its load ${this.#cpuLoad.toFixed(2)} is at or above --load-threshold ${this.#o.loadThreshold}`;
    }
    return null;
  }

  #load(): number {
    return workerLoad(this.#cpuLoad, this.#jobs.committed, this.#o.maxJobs);
  }

  #status(): WorkerStatus {
    return this.#draining || this.#load() >= this.#o.loadThreshold
      ? WorkerStatus.WS_FULL
      : WorkerStatus.WS_AVAILABLE;
  }

  /** `updateWorker`: status, load and job count (with a fresh CPU sample on the timer). */
  #report(sampleCpu = false): void {
    if (sampleCpu) this.#cpuLoad = this.#cpu.sample(this.#o.pool.processes);
    const status = this.#status();
    const full = status === WorkerStatus.WS_FULL;
    if (full !== this.#full) {
      this.#full = full;
      const why = this.#draining ? 'draining' : `load ${this.#load().toFixed(2)}`;
      this.#log.info(full ? 'worker is full' : 'worker is available', { reason: why });
    }
    this.#socket?.send({
      case: 'updateWorker',
      value: { status, load: this.#load(), jobCount: this.#jobs.running.length },
    });
  }
}
