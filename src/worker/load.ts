/**
 * The worker's load for LiveKit's dispatcher, in [0, 1]: the CPU time this worker and its
 * job processes used since the last sample, over the wall time and the cores this process
 * may use; or, with `--max-jobs`, the share of job slots in use when that is higher.
 */
import { availableParallelism } from 'node:os';

export interface CpuUser {
  readonly pid: number | undefined;
  /** CPU time used since the process started, microseconds. */
  readonly cpuMicros: number;
}

export class CpuLoad {
  readonly #cores: number;
  #at = performance.now();
  #self = selfMicros();
  #seen = new Map<number, number>();

  constructor(cores = availableParallelism()) {
    this.#cores = Math.max(1, cores);
  }

  /** CPU share since the previous sample (0..1), counting `processes` and this one. */
  sample(processes: readonly CpuUser[]): number {
    const now = performance.now();
    const wallMicros = Math.max(1, (now - this.#at) * 1000);
    const self = selfMicros();
    let used = self - this.#self;
    const seen = new Map<number, number>();
    for (const p of processes) {
      if (p.pid === undefined) continue;
      // A process first seen counts from its start: it spent that on loading, lately.
      used += Math.max(0, p.cpuMicros - (this.#seen.get(p.pid) ?? 0));
      seen.set(p.pid, p.cpuMicros);
    }
    this.#at = now;
    this.#self = self;
    this.#seen = seen;
    return clamp01(used / (wallMicros * this.#cores));
  }
}

/** What the worker reports: the CPU share, or the share of `maxJobs` in use if higher. */
export function workerLoad(cpu: number, jobs: number, maxJobs: number | null): number {
  return clamp01(Math.max(cpu, maxJobs ? jobs / maxJobs : 0));
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

function selfMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
