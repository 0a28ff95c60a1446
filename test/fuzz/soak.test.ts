/**
 * Soak: one hour of virtual conversation (a turn every 10 s: tools, a task with a filler,
 * a long answer interrupted by the user) in a child process run with --expose-gc, so the
 * heap after GC is the session's and nothing else's.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { RECENT_EVENTS_LIMIT } from './invariants.js';

interface Soak {
  samples: { minute: number; heapMb: number }[];
  recentEvents: number;
  historyItems: number;
  virtualMs: number;
  counts: Record<string, number>;
}

const here = dirname(fileURLToPath(import.meta.url));
let soak: Soak;

describe('soak: one hour of virtual conversation', () => {
  beforeAll(() => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--expose-gc', join(here, 'soak-child.ts'), '1'],
      { cwd: join(here, '../..'), encoding: 'utf8', timeout: 120_000 },
    );
    if (child.status !== 0) throw new Error(`soak child failed: ${child.stderr}`);
    soak = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Soak;
  }, 130_000);

  it('runs the hour, keeps the UI event history bounded and closes', () => {
    expect(soak.virtualMs).toBeGreaterThanOrEqual(3_600_000);
    expect(soak.counts['user.turn']).toBeGreaterThanOrEqual(350);
    expect(soak.counts['task.completed']).toBeGreaterThanOrEqual(50);
    expect(soak.counts['speech.interrupted']).toBeGreaterThanOrEqual(50);
    expect(soak.counts.deadlock ?? 0).toBe(0);
    expect(soak.counts['session.closed']).toBe(1);
    expect(soak.recentEvents).toBeLessThanOrEqual(RECENT_EVENTS_LIMIT);
  });

  // Finding speech-runs-retained (findings/): ~13 KB per turn is never released, so the
  // heap grows ~35 % over the hour. Flip to `it` once finished speeches are released.
  it('keeps the heap after GC within 10 % of its 10-minute value', () => {
    const warm = soak.samples[0]!.heapMb;
    for (const s of soak.samples)
      expect(s.heapMb, `at ${s.minute} min`).toBeLessThanOrEqual(warm * 1.1);
  });
});
