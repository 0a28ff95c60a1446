import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './child.js';
import { type Row, skipped } from './stats.js';

/**
 * B6c what a user installs: `npm pack` this repo, then in an empty folder
 * `npm init -y && npm install <tarball> zod` from the npm registry (the machine's npm cache
 * may serve it), and measure that node_modules. Skipped, saying so, when the registry cannot
 * be reached (offline) or with `--no-install`.
 */

const LIMIT_MB = 150;
const FIGURE = 'install as a dependency: node_modules of an empty project';
const TARGET = `≤ ${LIMIT_MB} MB, no native build`;
const OFFLINE = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|offline/;

/** The environment of a user's shell: none of this project's npm settings or script variables. */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_(config|package|lifecycle)_/i.test(k)),
  );
}

function npm(args: string[], cwd: string): { ok: boolean; out: string } {
  const r = spawnSync('npm', args, { cwd, encoding: 'utf8', env: userEnv(), timeout: 600_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}\n${r.stderr ?? ''}` };
}

interface Installed {
  bytes: number;
  packages: number;
  /** Packages with install-time scripts: `name (script: command)`. */
  scripts: string[];
  /** Packages that build native code at install (a binding.gyp, or node-gyp in a script). */
  native: string[];
}

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'] as const;

function inspect(
  dir: string,
  into: Installed = { bytes: 0, packages: 0, scripts: [], native: [] },
) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) inspect(path, into);
    else if (entry.isFile()) {
      into.bytes += lstatSync(path).size;
      const atPackageRoot = /node_modules\/(@[^/]+\/)?[^/@]+$/.test(dir);
      if (entry.name === 'package.json' && atPackageRoot) notePackage(dir, path, into);
      if (entry.name === 'binding.gyp' && atPackageRoot)
        into.native.push(dir.split('node_modules/').at(-1)!);
    }
  }
  return into;
}

function notePackage(dir: string, manifest: string, into: Installed): void {
  into.packages++;
  const { name, scripts = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    name?: string;
    scripts?: Record<string, string>;
  };
  for (const script of INSTALL_SCRIPTS) {
    const command = scripts[script];
    if (!command) continue;
    into.scripts.push(`${name ?? dir} (${script}: ${command})`);
    if (/node-gyp|prebuild/.test(command)) into.native.push(name ?? dir);
  }
}

function diskMb(dir: string): number | null {
  const r = spawnSync('du', ['-sk', dir], { encoding: 'utf8' });
  const kb = Number.parseInt(r.stdout ?? '', 10);
  return r.status === 0 && Number.isFinite(kb) ? kb / 1024 : null;
}

export async function runB6Install(options: { install: boolean }): Promise<Row> {
  if (!options.install) return skipped('B6c', FIGURE, TARGET, 'not measured: --no-install');
  const dir = mkdtempSync(join(tmpdir(), 'voxagent-as-dependency-'));
  try {
    const packed = npm(['pack', '--pack-destination', dir], ROOT);
    if (!packed.ok) throw new Error(`npm pack failed: ${packed.out.trim().split('\n').at(-1)}`);
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');
    const project = join(dir, 'project');
    mkdirSync(project);
    npm(['init', '-y'], project);
    const t0 = performance.now();
    const installed = npm(
      ['install', '--no-audit', '--no-fund', join(dir, tarball), 'zod'],
      project,
    );
    const seconds = (performance.now() - t0) / 1000;
    if (!installed.ok) {
      const last =
        installed.out
          .trim()
          .split('\n')
          .filter((l) => /error/i.test(l))
          .at(-1) ?? '';
      if (OFFLINE.test(installed.out)) {
        return skipped(
          'B6c',
          FIGURE,
          TARGET,
          `not measured: the npm registry is not reachable (${last.trim()})`,
        );
      }
      throw new Error(`npm install failed: ${last.trim()}`);
    }
    const found = inspect(join(project, 'node_modules'));
    const contentMb = found.bytes / 2 ** 20;
    // What `du -sm node_modules` says (disk blocks), the figure users see; else the contents.
    const mb = diskMb(join(project, 'node_modules')) ?? contentMb;
    return {
      id: 'B6c',
      figure: FIGURE,
      median: mb,
      p95: null,
      unit: 'MB',
      target: TARGET,
      met: mb <= LIMIT_MB && found.native.length === 0,
      note: `du -sm; ${contentMb.toFixed(0)} MB of file contents; ${found.packages} packages; \`npm install <tarball> zod\` took ${seconds.toFixed(1)} s (npm cache warm or not); install scripts: ${found.scripts.join(', ') || 'none'}; native builds: ${found.native.join(', ') || 'none'}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
