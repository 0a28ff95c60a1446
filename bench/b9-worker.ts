/**
 * B9 worker capacity: the built `voxagent start` against the LiveKit double (in this
 * process), every job in its own job process talking without a pause. B9a: jobs at once
 * whose outgoing audio keeps p99 frame lateness ≤ 5 ms, timed as the double receives the
 * packets (arrival against each packet's RTP timestamp, relative to that track's earliest
 * packet); per core as well. B9b: job start latency, from the availability request to the
 * first packet of sound from the job's agent, with a warm pool. Needs `npm run build`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { WorkerStatus } from '@livekit/protocol';
import type { ClientSession } from '../test/livekit/double/client-session.js';
import { LiveKitDouble } from '../test/livekit/double/server.js';
import { ROOT } from './child.js';
import { percentile, type Row, skipped, summarize } from './stats.js';

const COUNTS = [1, 2, 4, 6, 8, 12, 16];
const IDLE = 4;
const STARTS = 5;
const WINDOW_MS = 4000;
const WARMUP_MS = 1500;
const LIMIT_MS = 5;
const TRIES = 2;
/** The default run stays short: no new count starts after this. */
const BUDGET_MS = 75_000;

interface Step {
  jobs: number;
  p50: number;
  p99: number;
  packets: number;
  control99: number;
  rssMb: number;
}

export async function runB9(): Promise<Row[]> {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
    const why = 'dist/ missing: run `npm run build` first';
    return [skipped('B9a', 'jobs per worker (p99 lateness ≤ 5 ms)', '—', why)];
  }
  const double = await LiveKitDouble.start({ rooms: [], captureAudio: false });
  const worker = startWorker(double);
  try {
    await worker.line('registered with the LiveKit server');
    const port = Number((await worker.line('starting worker')).health_port);
    await idleReady(port, double);
    const starts: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const [ms] = await runJobs(double, `start-${i}`, 1, 0);
      starts.push(ms!.startMs);
      await idleReady(port, double);
    }
    const steps: Step[] = [];
    const began = performance.now();
    for (const n of COUNTS) {
      if (performance.now() - began > BUDGET_MS) break;
      // Other processes only add lateness: a count over the limit gets a second try.
      let step: Step | undefined;
      for (let i = 0; i < TRIES && (!step || step.p99 > LIMIT_MS); i++) {
        const tried = stepOf(n, await runJobs(double, `cap-${n}-${i}`, n, WINDOW_MS, port));
        if (!step || tried.p99 < step.p99) step = tried;
        await idleReady(port, double);
      }
      steps.push(step!);
      if (step!.p99 > LIMIT_MS) break;
    }
    return rows(starts, steps);
  } finally {
    await worker.stop();
    await double.stop();
  }
}

interface JobRun {
  startMs: number;
  lateness: number[];
  control: number[];
  rssMb: number;
}

/** Dispatches `n` rooms at once; when all talk, times their packets for `windowMs`. */
async function runJobs(
  double: LiveKitDouble,
  prefix: string,
  n: number,
  windowMs: number,
  port?: number,
): Promise<JobRun[]> {
  const names = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  await Promise.all(names.map((r) => double.createRoom(r)));
  const jobs = names.map((r) => double.agents.jobsIn(r)[0]!);
  const sessions: ClientSession[] = [];
  for (const job of jobs) {
    if (job.outcome !== 'assigned') throw new Error(`job for ${job.room}: ${job.outcome}`);
    const s = await double.waitForSession(`agent-${job.job.id}`, 120_000);
    await s.waitFor(() => s.firstSoundAt, 'first sound', 120_000);
    sessions.push(s);
  }
  // The first packets of a stream come in a burst (the track starting up): skip them.
  if (windowMs > 0) await new Promise((r) => setTimeout(r, WARMUP_MS));
  const samples = sessions.map(() => [] as { at: number; ts: number; seq: number }[]);
  const offs = sessions.map((s, i) =>
    s.onAudioPacket((at, rtp) => samples[i]!.push({ at, ts: rtp.timestamp, seq: rtp.seq })),
  );
  const control = await controlTicks(windowMs);
  for (const off of offs) off();
  const rss = port ? await jobMemory(port) : 0;
  for (const r of names) double.deleteRoom(r);
  await double.agents.waitFor(
    () => jobs.every((j) => double.agents.workers.some((w) => w.jobStatus(j.job.id).length >= 2)),
    'every job to end',
    60_000,
  );
  return sessions.map((s, i) => ({
    startMs: s.firstSoundAt! - jobs[i]!.offers[0]!.sentAt,
    lateness: latenessOf(samples[i]!),
    control,
    rssMb: rss,
  }));
}

/**
 * Each packet's arrival against its RTP timestamp, relative to the track's earliest one;
 * a packet seen again (same sequence number: a retransmission) counts once.
 */
function latenessOf(all: { at: number; ts: number; seq: number }[]): number[] {
  const seen = new Set<number>();
  const packets = all.filter((p) => !seen.has(p.seq) && seen.add(p.seq));
  if (packets.length === 0) return [];
  const ts0 = packets[0]!.ts;
  const offsets = packets.map((p) => p.at - ((p.ts - ts0) >>> 0) / 48);
  const min = Math.min(...offsets);
  return offsets.map((o) => o - min);
}

/** The double's own event loop: a 20 ms ticker's lateness while the window runs (a control). */
function controlTicks(ms: number): Promise<number[]> {
  return new Promise((resolve) => {
    const late: number[] = [];
    const start = performance.now();
    let k = 1;
    const tick = () => {
      const now = performance.now();
      late.push(now - (start + k * 20));
      k++;
      if (now - start >= ms) resolve(late);
      else setTimeout(tick, Math.max(0, start + k * 20 - performance.now()));
    };
    setTimeout(tick, 20);
  });
}

function stepOf(jobs: number, runs: JobRun[]): Step {
  const all = runs.flatMap((r) => r.lateness).sort((a, b) => a - b);
  const control = [...(runs[0]?.control ?? [])].sort((a, b) => a - b);
  return {
    jobs,
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    packets: all.length,
    control99: percentile(control, 99),
    rssMb: runs[0]?.rssMb ?? 0,
  };
}

function rows(starts: number[], steps: Step[]): Row[] {
  const ok = steps.filter((s) => s.p99 <= LIMIT_MS);
  const best = ok.at(-1)?.jobs ?? 0;
  const cores = availableParallelism();
  const curve = steps.map((s) => `${s.jobs}: ${s.p99.toFixed(1)}`).join(', ');
  const last = steps.at(-1);
  const start = summarize(starts);
  const busy =
    last && last.control99 > LIMIT_MS
      ? ` (the double's own timer was late by more than ${LIMIT_MS} ms: the machine was too busy for this figure)`
      : '';
  return [
    {
      id: 'B9a',
      figure: 'concurrent jobs per worker with p99 output-frame lateness ≤ 5 ms (at the double)',
      median: best,
      p95: null,
      unit: 'jobs',
      target: '(LiveKit: 10–25 per 4 cores)',
      met: null,
      note: `${(best / cores).toFixed(1)} per core on ${cores} cores; p99 ms by jobs: ${curve}; at ${last?.jobs}: p50 ${last?.p50.toFixed(1)} ms, the double's own 20 ms timer p99 ${last?.control99.toFixed(1)} ms, ${last?.rssMb} MB RSS per job process; ${WINDOW_MS / 1000} s window per count after ${WARMUP_MS / 1000} s, better of ${TRIES} when over${busy}`,
    },
    {
      id: 'B9b',
      figure: 'job start: availability request → first sound at the double (warm pool)',
      median: start.median,
      p95: start.p95,
      unit: 'ms',
      target: '(no target)',
      met: null,
      note: `${STARTS} jobs one after another, ${IDLE} idle job processes`,
    },
  ];
}

/** The RSS of the running job processes, median, from /worker. */
async function jobMemory(port: number): Promise<number> {
  const info = (await (await fetch(`http://127.0.0.1:${port}/worker`)).json()) as {
    jobs: { rss_mb: number | null }[];
  };
  const rss = info.jobs.map((j) => j.rss_mb ?? 0).sort((a, b) => a - b);
  return percentile(rss, 50);
}

/** Waits until the worker has its idle job processes loaded again. */
async function idleReady(port: number, double: LiveKitDouble): Promise<void> {
  const started = performance.now();
  for (;;) {
    const info = (await (await fetch(`http://127.0.0.1:${port}/worker`)).json()) as {
      idle_processes: number;
    };
    if (info.idle_processes >= IDLE) break;
    if (performance.now() - started > 120_000) throw new Error('the pool never refilled');
    await new Promise((r) => setTimeout(r, 100));
  }
  // Loading the pool costs CPU the worker counts in its load: LiveKit offers nothing to a
  // worker whose last report said full, so wait for a report made after the refill.
  const since = Date.now();
  await double.agents.waitFor(
    () =>
      double.agents.connected.every((w) => {
        const last = w.updates.at(-1);
        return last !== undefined && last.at >= since && last.status === WorkerStatus.WS_AVAILABLE;
      }),
    'the worker available again after its pool refilled',
    60_000,
  );
}

interface WorkerProcess {
  line(msg: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

function startWorker(double: LiveKitDouble): WorkerProcess {
  const args = [
    join(ROOT, 'bin', 'voxagent.js'),
    'start',
    join(ROOT, 'bench', 'worker-agent.ts'),
    ...['--health-port', '0', '--log-format', 'json', '--idle-processes', String(IDLE)],
    ...['--load-threshold', '1'],
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      LIVEKIT_URL: double.url,
      LIVEKIT_API_KEY: double.apiKey,
      LIVEKIT_API_SECRET: double.apiSecret,
    },
  });
  const seen: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (!l.startsWith('{')) return;
    seen.push(JSON.parse(l) as Record<string, unknown>);
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    line: (msg) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const hit = seen.find((l) => l.msg === msg);
          if (hit) {
            waiters.delete(check);
            resolve(hit);
          }
        };
        waiters.add(check);
        check();
        void exited.then(() => reject(new Error(`the worker exited before "${msg}"`)));
      }),
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
