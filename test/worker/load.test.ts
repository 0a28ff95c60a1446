/** The load a worker reports: CPU share of its processes, or job slots in use if higher. */
import { describe, expect, it } from 'vitest';
import { CpuLoad, workerLoad } from '../../src/worker/load.js';

describe('workerLoad', () => {
  it('is the CPU share, or the share of --max-jobs in use when that is higher, within [0, 1]', () => {
    expect(workerLoad(0.2, 1, null)).toBe(0.2);
    expect(workerLoad(0.2, 1, 2)).toBe(0.5);
    expect(workerLoad(0.9, 1, 4)).toBe(0.9);
    expect(workerLoad(1.7, 0, null)).toBe(1);
    expect(workerLoad(0, 5, 4)).toBe(1);
    expect(workerLoad(Number.NaN, 0, null)).toBe(0);
  });
});

describe('CpuLoad', () => {
  /** Lets wall time pass on this thread (the CPU it uses counts as the worker's own). */
  function spin(ms: number): number {
    const started = performance.now();
    while (performance.now() - started < ms) {
      // busy on purpose
    }
    return performance.now() - started;
  }

  it("counts its job processes' CPU time since the last sample, over wall time and cores", () => {
    const load = new CpuLoad(4);
    const child = { pid: 42, cpuMicros: 0 };
    load.sample([child]);
    // The job process used three cores' worth of the wall time; this one at most one more.
    child.cpuMicros += spin(50) * 1000 * 3;
    const busy = load.sample([child]);
    expect(busy).toBeGreaterThanOrEqual(0.74);
    expect(busy).toBeLessThanOrEqual(1);
    // Nothing new from the job process: only this process's own share (≤ one core of four).
    spin(50);
    expect(load.sample([child])).toBeLessThan(0.4);
  });
});
