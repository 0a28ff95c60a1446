import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, runChild, timeProcess } from './child.js';
import { type Row, skipped, summarize } from './stats.js';
import { transpileRuntime } from './transpile.js';

/**
 * B5 start-up, as whole processes (spawn → exit, or → first output for `dev --text`), and
 * B4d, the resident memory of a process that only imported the runtime.
 */

const REPS = 15;

async function timed(args: string[], untilOutput = false): Promise<ReturnType<typeof summarize>> {
  await timeProcess(args, { untilOutput });
  const samples: number[] = [];
  for (let i = 0; i < REPS; i++) samples.push(await timeProcess(args, { untilOutput }));
  return summarize(samples);
}

const row = (
  id: string,
  figure: string,
  s: ReturnType<typeof summarize>,
  limit: number,
  note: string,
): Row => ({
  id,
  figure,
  median: s.median,
  p95: s.p95,
  unit: 'ms',
  target: `≤ ${limit} ms`,
  met: s.median <= limit,
  note,
});

export async function runB5(): Promise<Row[]> {
  const rows: Row[] = [];
  const bin = join(ROOT, 'bin/voxagent.js');
  const cli = existsSync(bin);
  const notYet = 'not available yet: bin/voxagent.js does not exist';
  if (cli) {
    rows.push(
      row('B5a', 'voxagent --help', await timed([bin, '--help']), 150, `${REPS} processes`),
    );
  } else rows.push(skipped('B5a', 'voxagent --help', '≤ 150 ms', notYet));

  const { dir, entry } = transpileRuntime();
  const url = pathToFileURL(entry).href;
  const bare = await timed(['-e', '']);
  const imported = await timed([
    '--input-type=module',
    '-e',
    `await import(${JSON.stringify(url)})`,
  ]);
  // Inside the process: how much of the import is zod (imported first) and the rest.
  const split = join(dir, 'import-split.mjs');
  writeFileSync(
    split,
    `const t0 = performance.now();\nawait import('zod');\nconst t1 = performance.now();\nawait import(${JSON.stringify(url)});\nconsole.log(JSON.stringify({ zod: t1 - t0, rest: performance.now() - t1 }));\n`,
  );
  const parts: { zod: number; rest: number }[] = [];
  for (let i = 0; i < 5; i++) parts.push(await runChild(['--no-warnings'], split, []));
  const zod = summarize(parts.map((p) => p.zod)).median;
  const rest = summarize(parts.map((p) => p.rest)).median;
  rows.push(
    row(
      'B5b',
      'node process importing the runtime',
      imported,
      150,
      `${REPS} processes, plain JS as built; an empty node process: ${bare.median.toFixed(0)} ms; in-process: zod ${zod.toFixed(0)} ms + the rest of the runtime ${rest.toFixed(0)} ms`,
    ),
  );
  if (cli) {
    const paint = await timed([bin, 'dev', '--text'], true);
    rows.push(row('B5c', 'voxagent dev --text → first output', paint, 600, `${REPS} processes`));
  } else rows.push(skipped('B5c', 'voxagent dev --text → first paint', '≤ 600 ms', notYet));

  const probe = join(dir, 'rss-probe.mjs');
  writeFileSync(
    probe,
    `await import(${JSON.stringify(url)});\nglobalThis.gc();\nconsole.log(JSON.stringify(process.memoryUsage()));\n`,
  );
  const rss: number[] = [];
  for (let i = 0; i < 5; i++) {
    const m = await runChild<{ rss: number }>(['--expose-gc'], probe, []);
    rss.push(m.rss / 2 ** 20);
  }
  const r = summarize(rss);
  rows.push({
    id: 'B4d',
    figure: 'RSS of a process that only imported the runtime',
    median: r.median,
    p95: r.max,
    unit: 'MB',
    target: '≤ 60 MB',
    met: r.median <= 60,
    note: '5 processes, after one GC (p95 column: largest)',
  });
  return rows;
}
