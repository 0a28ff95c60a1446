/** Building a bundle removes those left by processes that are gone, and only those. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import { buildBundle } from '../../src/loader/bundle-module.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it("removes stale bundles of dead processes, keeps live processes' bundles", async () => {
  const root = mkdtempSync(join(tmpdir(), 'voxagent-bundle-'));
  dirs.push(root);
  const cache = join(root, 'node_modules', '.cache', 'voxagent');
  mkdirSync(cache, { recursive: true });
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  const stale = join(cache, `module-${dead}-1.mjs`);
  const live = join(cache, `module-${process.ppid}-1.mjs`);
  const other = join(cache, 'notes.txt');
  for (const f of [stale, live, other]) writeFileSync(f, '');
  writeFileSync(join(root, 'agent.ts'), 'export default 1;\n');
  const built = await buildBundle(join(root, 'agent.ts'));
  expect(existsSync(built.outfile)).toBe(true);
  expect(existsSync(stale)).toBe(false);
  expect(existsSync(live)).toBe(true);
  expect(existsSync(other)).toBe(true);
});

// Replay builds agents in worker threads of one process: their bundles must not share a file.
// Run against the build (a worker thread cannot load the TypeScript sources).
const builtLoader = join(process.cwd(), 'dist', 'src', 'loader', 'bundle-module.js');
it.skipIf(!existsSync(builtLoader) && !process.env.CI)(
  'bundles built at once in two threads of one process get files of their own',
  async () => {
    const root = mkdtempSync(join(tmpdir(), 'voxagent-bundle-'));
    dirs.push(root);
    mkdirSync(join(root, 'node_modules'));
    writeFileSync(join(root, 'agent.ts'), 'export default 1;\n');
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.loader)
        .then((m) => m.buildBundle(workerData.agent))
        .then((b) => parentPort.postMessage(b.outfile));
    `;
    const outfile = () =>
      new Promise<string>((resolve, reject) => {
        const worker = new Worker(source, {
          eval: true,
          workerData: { loader: pathToFileURL(builtLoader).href, agent: join(root, 'agent.ts') },
        });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    const [a, b] = await Promise.all([outfile(), outfile()]);
    expect(a).not.toBe(b);
    expect(existsSync(a) && existsSync(b)).toBe(true);
  },
);
