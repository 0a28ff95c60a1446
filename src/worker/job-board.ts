/**
 * The worker's jobs: those it accepted and awaits an assignment for, and those running in a
 * job process. It answers LiveKit's availability requests, starts assigned jobs, ends them
 * on termination, and reports their status (`updateJob`).
 */
import {
  type AvailabilityRequest,
  type Job,
  type JobAssignment,
  JobStatus,
} from '@livekit/protocol';
import type { WorkerMessageBody } from './connection.js';
import type { JobLaunch } from './ipc.js';
import type { JobEnd, JobInfo } from './job-context.js';
import type { JobProcess } from './job-process.js';
import type { WorkerLog } from './log.js';
import type { ProcessPool } from './pool.js';

/** LiveKit SDKs stamp the agent's name on its participant under this attribute. */
export const ATTRIBUTE_AGENT_NAME = 'lk.agent.name';
/** An accepted job whose assignment does not come within this is forgotten. */
const ASSIGNMENT_TIMEOUT_MS = 7500;

export interface RunningJob {
  readonly launch: JobLaunch;
  readonly startedAt: number;
  process: JobProcess | null;
  /** Set when it was asked to end before its process was there. */
  endRequested: string | null;
}

interface PendingJob {
  readonly identity: string;
  readonly name: string;
  readonly timer: NodeJS.Timeout;
}

export interface JobBoardOptions {
  readonly agentName: string;
  /** The worker's URL: where a job joins when its assignment names none. */
  readonly url: string;
  readonly pool: ProcessPool;
  readonly log: WorkerLog;
  /** Sends a message to LiveKit (dropped while disconnected). */
  readonly send: (message: WorkerMessageBody) => void;
  /** Why a new job would be refused now (full, draining), or null to accept it. */
  readonly refusal: () => string | null;
  /** The worker's id as LiveKit registered it (changes on re-registration). */
  readonly workerId: () => string;
  /** Called whenever the number of jobs changes. */
  readonly changed: () => void;
}

export class JobBoard {
  readonly #o: JobBoardOptions;
  readonly #pending = new Map<string, PendingJob>();
  readonly #running = new Map<string, RunningJob>();

  constructor(options: JobBoardOptions) {
    this.#o = options;
  }

  /** Jobs running (or starting) in a job process. */
  get running(): readonly RunningJob[] {
    return [...this.#running.values()];
  }

  /** Running plus accepted-and-awaiting-assignment: what counts against --max-jobs. */
  get committed(): number {
    return this.#running.size + this.#pending.size;
  }

  get empty(): boolean {
    return this.committed === 0;
  }

  /** Answers at once, so a burst of requests is answered before any of them starts. */
  onAvailability(request: AvailabilityRequest): void {
    const job = request.job;
    if (!job) return;
    const fields = { job_id: job.id, room: job.room?.name, agent_name: job.agentName };
    const refusal = this.#o.refusal();
    if (refusal) {
      this.#o.send({ case: 'availability', value: { jobId: job.id, available: false } });
      this.#o.log.info('job refused', { ...fields, reason: refusal });
      return;
    }
    const identity = `agent-${job.id}`;
    const name = this.#o.agentName || 'voxagent';
    this.#o.send({
      case: 'availability',
      value: {
        jobId: job.id,
        available: true,
        participantIdentity: identity,
        participantName: name,
        participantAttributes: { [ATTRIBUTE_AGENT_NAME]: this.#o.agentName },
      },
    });
    const timer = setTimeout(() => {
      if (!this.#pending.delete(job.id)) return;
      this.#o.log.warn('no assignment came for an accepted job; forgetting it', fields);
      this.#o.changed();
    }, ASSIGNMENT_TIMEOUT_MS);
    this.#pending.set(job.id, { identity, name, timer });
    this.#o.log.info('job accepted', { ...fields, identity });
    this.#o.changed();
  }

  onAssignment(assignment: JobAssignment): void {
    const job = assignment.job;
    if (!job) return;
    const pending = this.#pending.get(job.id);
    if (!pending) {
      this.#o.log.warn('assignment for a job this worker did not accept; ignored', {
        job_id: job.id,
      });
      return;
    }
    clearTimeout(pending.timer);
    this.#pending.delete(job.id);
    this.#o.log.addSecret(assignment.token);
    const launch: JobLaunch = {
      job: jobInfoOf(job),
      url: assignment.url || this.#o.url,
      token: assignment.token,
      identity: pending.identity,
      name: pending.name,
      workerId: this.#o.workerId(),
    };
    void this.#run(launch);
  }

  /** LiveKit ended the job (or the worker must): it ends gracefully. */
  end(jobId: string, reason: string): boolean {
    const entry = this.#running.get(jobId);
    if (!entry) return false;
    if (entry.process) entry.process.shutdown(reason);
    else entry.endRequested ??= reason;
    return true;
  }

  endAll(reason: string): void {
    for (const id of this.#running.keys()) this.end(id, reason);
  }

  /** Second signal: every job ends now, reported as failed (best effort). */
  killAll(reason: string): void {
    for (const [id, entry] of this.#running) {
      entry.process?.kill(reason);
      this.#o.send({
        case: 'updateJob',
        value: { jobId: id, status: JobStatus.JS_FAILED, error: reason },
      });
    }
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    this.#pending.clear();
  }

  async #run(launch: JobLaunch): Promise<void> {
    const { job } = launch;
    const log = this.#o.log.with({ job_id: job.id, room: job.room.name });
    const entry: RunningJob = { launch, startedAt: Date.now(), process: null, endRequested: null };
    this.#running.set(job.id, entry);
    this.#o.send({ case: 'updateJob', value: { jobId: job.id, status: JobStatus.JS_RUNNING } });
    log.info('job started', {
      metadata: job.metadata,
      dispatch_id: job.dispatchId,
      agent_name: job.agentName,
      participant: job.participant?.identity,
    });
    this.#o.changed();
    const end = await this.#runInProcess(entry, log);
    this.#running.delete(job.id);
    const seconds = Math.round((Date.now() - entry.startedAt) / 100) / 10;
    this.#o.send({
      case: 'updateJob',
      value: {
        jobId: job.id,
        status: end.error === null ? JobStatus.JS_SUCCESS : JobStatus.JS_FAILED,
        error: end.error ?? '',
      },
    });
    if (end.error === null) log.info('job ended', { reason: end.reason, seconds });
    else log.error('job failed', { reason: end.reason, error: end.error, seconds });
    this.#o.changed();
  }

  async #runInProcess(entry: RunningJob, log: WorkerLog): Promise<JobEnd> {
    let proc: JobProcess;
    try {
      proc = await this.#o.pool.take();
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      return { reason: 'no job process could load the agent', error };
    }
    entry.process = proc;
    proc.start(entry.launch, log);
    if (entry.endRequested) proc.shutdown(entry.endRequested);
    return proc.ended;
  }
}

/** The parts of LiveKit's Job a job process needs, as plain data. */
export function jobInfoOf(job: Job): JobInfo {
  const p = job.participant;
  return {
    id: job.id,
    dispatchId: job.dispatchId,
    agentName: job.agentName,
    metadata: job.metadata,
    room: {
      name: job.room?.name ?? '',
      sid: job.room?.sid ?? '',
      metadata: job.room?.metadata ?? '',
    },
    participant: p
      ? { identity: p.identity, name: p.name, sid: p.sid, attributes: { ...p.attributes } }
      : null,
  };
}
