/**
 * `npm run bench [-- --json] [--only B1,B3] [--with-npm-ci] [--no-install]`: runs the benchmarks on this
 * machine and prints a table (figure, median, p95, target, met?) or one JSON object.
 * Every figure comes from a real run of the real code; see docs/performance.md.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { runB1 } from './b1-scheduling.js';
import { runB2 } from './b2-interrupt.js';
import { runB3 } from './b3-replay.js';
import { runB4 } from './b4-sessions.js';
import { runB5 } from './b5-startup.js';
import { runB6 } from './b6-footprint.js';
import { runB7 } from './b7-providers.js';
import { runB8 } from './b8-ui.js';
import { runB9 } from './b9-worker.js';
import { formatTable, type Row } from './stats.js';

type Bench = { id: string; run: () => Promise<Row[]> };

const BENCHES: Bench[] = [
  { id: 'B1', run: runB1 },
  { id: 'B2', run: runB2 },
  { id: 'B3', run: runB3 },
  { id: 'B4', run: runB4 },
  { id: 'B5', run: runB5 },
  {
    id: 'B6',
    run: () =>
      runB6({
        npmCi: process.argv.includes('--with-npm-ci'),
        install: !process.argv.includes('--no-install'),
      }),
  },
  { id: 'B7', run: runB7 },
  { id: 'B8', run: runB8 },
  { id: 'B9', run: runB9 },
];

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',') : null;
  const started = performance.now();
  const loadBefore = loadavg()[0]!;
  const rows: Row[] = [];
  for (const bench of BENCHES) {
    if (only && !only.includes(bench.id)) continue;
    if (!json) process.stderr.write(`running ${bench.id}…\n`);
    try {
      rows.push(...(await bench.run()));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      rows.push({
        id: bench.id,
        figure: 'failed to run',
        median: null,
        p95: null,
        unit: '',
        target: '',
        met: false,
        note: message.split('\n')[0]!,
      });
    }
  }
  const machine = {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryMb: Math.round(totalmem() / 2 ** 20),
    /** 1-minute load average before and after: above the CPU count, others competed. */
    load: [loadBefore, loadavg()[0]!].map((l) => Math.round(l * 100) / 100),
  };
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  if (json) {
    console.log(JSON.stringify({ date: new Date().toISOString(), machine, seconds, rows }));
  } else {
    console.log(formatTable(rows));
    console.log(
      `\n${machine.node}, ${machine.cpus} × ${machine.cpuModel}, load ${machine.load.join(' → ')}, ${seconds} s. Targets: docs/performance.md`,
    );
    if (Math.max(...machine.load) > machine.cpus) {
      console.log('warning: the machine was busy with other work; wall-clock figures are inflated');
    }
  }
  process.exit(rows.some((r) => r.met === false) ? 1 : 0);
}

await main();
