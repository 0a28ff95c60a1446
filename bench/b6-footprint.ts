import { spawnSync } from 'node:child_process';
import { copyFileSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runB6Install } from './b6-install.js';
import { ROOT } from './child.js';
import type { Row } from './stats.js';

/**
 * B6 footprint: size of this repo's node_modules (the dev install) and how many packages it
 * holds; with --with-npm-ci, how long `npm ci` takes into a temp copy of package.json +
 * package-lock.json; and (B6c, b6-install.ts) what installing voxagent as a dependency brings.
 */

function walk(dir: string): { bytes: number; packages: number } {
  let bytes = 0;
  let packages = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      const inner = walk(path);
      bytes += inner.bytes;
      packages += inner.packages;
    } else if (entry.isFile()) {
      bytes += lstatSync(path).size;
      // A package is a folder directly under a node_modules (or @scope) with a package.json.
      if (entry.name === 'package.json' && /node_modules\/(@[^/]+\/)?[^/@]+$/.test(dir)) packages++;
    }
  }
  return { bytes, packages };
}

export async function runB6(options: { npmCi: boolean; install: boolean }): Promise<Row[]> {
  const { bytes, packages } = walk(join(ROOT, 'node_modules'));
  const rows: Row[] = [
    {
      id: 'B6a',
      figure: 'node_modules of this repo (dev install)',
      median: bytes / 2 ** 20,
      p95: null,
      unit: 'MB',
      target: '(report)',
      met: null,
      note: `${packages} packages (every package.json at a package root, nested ones included)`,
    },
  ];
  rows.push(await runB6Install(options));
  if (!options.npmCi) {
    rows.push({
      id: 'B6b',
      figure: 'npm ci',
      median: null,
      p95: null,
      unit: '',
      target: '(report)',
      met: null,
      note: 'not measured: pass --with-npm-ci (slow; installs into a temp copy)',
    });
    return rows;
  }
  const dir = mkdtempSync(join(tmpdir(), 'voxagent-npm-ci-'));
  try {
    for (const f of ['package.json', 'package-lock.json', '.npmrc']) {
      try {
        copyFileSync(join(ROOT, f), join(dir, f));
      } catch {
        // .npmrc is optional
      }
    }
    const t0 = performance.now();
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, encoding: 'utf8' });
    const seconds = (performance.now() - t0) / 1000;
    rows.push({
      id: 'B6b',
      figure: 'npm ci (temp copy of package.json + lock)',
      median: seconds,
      p95: null,
      unit: 's',
      target: '(report)',
      met: r.status === 0 ? null : false,
      note:
        r.status === 0
          ? 'one run, with the machine’s npm cache'
          : `failed: ${r.stderr.trim().split('\n').at(-1)}`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
