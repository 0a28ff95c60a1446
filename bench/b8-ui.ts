import { runChild } from './child.js';
import { FRAME_MS } from './paced.js';
import { percentile, type Row } from './stats.js';

/**
 * B8 output-frame lateness while the UI is busy: one session on the real clock speaks under
 * a busy workload (bench/b8-child.ts), with the live console (`renderConsole`, drawing to a
 * fake terminal) and without it. B8a/B8b: the voice takes the path of `voxagent dev` (the
 * audio child paces it to a simulated card from a buffer fed ahead of time); B8c: frames
 * paced by timers on the console's own thread, for comparison. Each run is a fresh child
 * process; the modes alternate so all see the same machine, and the frames of all runs of a
 * mode are pooled.
 */

const RUNS = 2;
const WARMUP_SECONDS = 1.5;
const SECONDS = 6;
const LIMIT_MS = 5;
const CHILD = 'bench/b8-child.ts';

type Path = 'device' | 'main';

interface Run {
  ui: boolean;
  path: Path;
  bufferedMedianMs: number;
  underruns: number;
  stallP99Ms: number;
  stallMaxMs: number;
  late: number[];
  /** Ticks that played speech (the others played silence). */
  speaking: number;
  events: number;
  turns: number;
  seconds: number;
  screenWrites: number;
  screenBytes: number;
  elu: number;
  gcMaxMs: number;
  gcTotalMs: number;
  measures: number;
  nodeEnv: string | null;
}

interface Pooled {
  frames: number;
  speakingShare: number;
  p50: number;
  p99: number;
  max: number;
  seconds: number;
  eventsPerS: number;
  turns: number;
  writesPerS: number;
  kbPerS: number;
  elu: number;
  gcMsPerS: number;
  gcMaxMs: number;
  measures: number;
  bufferedMs: number;
  underruns: number;
  stallP99Ms: number;
  stallMaxMs: number;
}

function pool(runs: Run[]): Pooled {
  const late = runs.flatMap((r) => r.late).sort((a, b) => a - b);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const sum = (f: (r: Run) => number) => runs.reduce((n, r) => n + f(r), 0);
  return {
    frames: late.length,
    speakingShare: sum((r) => r.speaking) / Math.max(1, late.length),
    p50: percentile(late, 50),
    p99: percentile(late, 99),
    max: late.at(-1) ?? Number.NaN,
    seconds,
    eventsPerS: sum((r) => r.events) / seconds,
    turns: sum((r) => r.turns),
    writesPerS: sum((r) => r.screenWrites) / seconds,
    kbPerS: sum((r) => r.screenBytes) / 1024 / seconds,
    elu: sum((r) => r.elu * r.seconds) / seconds,
    gcMsPerS: sum((r) => r.gcTotalMs) / seconds,
    gcMaxMs: Math.max(...runs.map((r) => r.gcMaxMs)),
    measures: Math.max(...runs.map((r) => r.measures)),
    bufferedMs: sum((r) => r.bufferedMedianMs) / Math.max(1, runs.length),
    underruns: sum((r) => r.underruns ?? 0),
    stallP99Ms: Math.max(...runs.map((r) => r.stallP99Ms)),
    stallMaxMs: Math.max(...runs.map((r) => r.stallMaxMs)),
  };
}

const MODES: readonly { ui: boolean; path: Path }[] = [
  { ui: true, path: 'device' },
  { ui: false, path: 'device' },
  { ui: true, path: 'main' },
];

export async function runB8(): Promise<Row[]> {
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const mode of i % 2 === 0 ? MODES : [...MODES].reverse()) {
      runs.push(
        // As the CLI runs it: bin/voxagent.js sets NODE_ENV=production before React loads.
        await runChild<Run>(
          ['--import', 'tsx'],
          CHILD,
          [mode.ui ? 'ui' : 'off', mode.path, String(WARMUP_SECONDS), String(SECONDS)],
          120_000,
          { ...process.env, NODE_ENV: 'production' },
        ),
      );
    }
  }
  const of = (ui: boolean, path: Path) => pool(runs.filter((r) => r.ui === ui && r.path === path));
  const on = of(true, 'device');
  const off = of(false, 'device');
  const main = of(true, 'main');
  const ms = (v: number) => v.toFixed(1);
  const react = runs[0]?.nodeEnv === 'production' ? 'production' : 'development';
  const workload = `${on.frames} frames (${RUNS} runs × ${SECONDS} s after ${WARMUP_SECONDS} s warm-up, modes alternating); speech in ${Math.round(100 * on.speakingShare)} % of frames, ~${Math.round(on.eventsPerS)} events/s, a typed turn per second (${on.turns} turns), a tool per turn`;
  const loop = (p: Pooled) =>
    `console thread busy ${Math.round(100 * p.elu)} %, held up to ${ms(p.stallMaxMs)} ms at a time (event-loop delay p99 ${ms(p.stallP99Ms)} ms), GC ${Math.round(p.gcMsPerS)} ms/s (max pause ${ms(p.gcMaxMs)} ms)`;
  return [
    {
      id: 'B8a',
      figure: 'frame lateness at the card, console UI on (p50 / p99)',
      median: on.p50,
      p95: on.p99,
      unit: 'ms',
      target: `p99 ≤ ${LIMIT_MS} ms`,
      met: on.p99 <= LIMIT_MS,
      note: `p95 column: p99; max ${ms(on.max)} ms; the path of voxagent dev: DeviceOutput → IPC → audio child (device host, PlaybackPump) → simulated card, ${Math.round(on.bufferedMs)} ms buffered ahead (median), ${on.underruns} underruns (each counted as a frame ${FRAME_MS} ms late); ${workload}; renderConsole to a 120×50 fake terminal: ${Math.round(on.writesPerS)} writes/s, ${Math.round(on.kbPerS)} KB/s; ${loop(on)}; React ${react} build${on.measures > 0 ? `, which keeps ~${Math.round(on.measures / (WARMUP_SECONDS + SECONDS))} performance.measure entries/s` : ''}`,
    },
    {
      id: 'B8b',
      figure: 'the same, UI off (p50 / p99)',
      median: off.p50,
      p95: off.p99,
      unit: 'ms',
      target: '(control)',
      met: null,
      note: `p95 column: p99; max ${ms(off.max)} ms; ${Math.round(off.bufferedMs)} ms buffered ahead (median), ${off.underruns} underruns; ${loop(off)}; UI on − off: p99 ${ms(on.p99 - off.p99)} ms`,
    },
    {
      id: 'B8c',
      figure: 'frames paced on the console thread, UI on (p50 / p99)',
      median: main.p50,
      p95: main.p99,
      unit: 'ms',
      target: '(comparison)',
      met: null,
      note: `p95 column: p99; max ${ms(main.max)} ms; what B8a measured before the audio path was measured: a timer on the thread that draws is late by a whole render; ${loop(main)}`,
    },
  ];
}
