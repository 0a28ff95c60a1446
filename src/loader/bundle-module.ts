import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';

/** voxagent's own entry points, so a bundled module shares this process's runtime. */
const SELF: Record<string, string> = {
  voxagent: '../index.js',
  'voxagent/testing': '../testing/index.js',
  'voxagent/openai': '../../plugins/openai/index.js',
  'voxagent/deepgram': '../../plugins/deepgram/index.js',
};

/** A build problem with the module's source: file:line:column and what is wrong. */
export class ModuleBuildError extends Error {
  override readonly name = 'ModuleBuildError';
}

export interface BundledModule {
  readonly exports: Record<string, unknown>;
  /** Every local source file it was built from (for watching). */
  readonly files: readonly string[];
}

/** Where bundles go: under the nearest node_modules, so the module's own packages resolve. */
function cacheDir(from: string): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules')))
      return join(dir, 'node_modules', '.cache', 'voxagent');
    if (dirname(dir) === dir) return join(tmpdir(), 'voxagent', 'agents');
  }
}

let generation = 0;

/** A module built into one file on disk, for processes that import it later. */
export interface BuiltBundle {
  readonly outfile: string;
  /** Every local source file it was built from. */
  readonly files: readonly string[];
}

/**
 * Builds a TypeScript or JavaScript module and the local files it imports into one ES
 * module file (esbuild). `voxagent` imports resolve to the runtime this code belongs to
 * (one copy, so `instanceof Agent` holds); other packages stay external. Each call writes a
 * new file under the nearest node_modules/.cache/voxagent; the caller removes it.
 */
export async function buildBundle(path: string): Promise<BuiltBundle> {
  const file = resolve(path);
  const { build } = await import('esbuild');
  const dir = cacheDir(file);
  mkdirSync(dir, { recursive: true });
  sweepStaleBundles(dir);
  // The thread id too: replay builds in several worker threads of one process, each with its
  // own `generation`, and two of them once wrote (and removed) the same file.
  const outfile = join(dir, `module-${process.pid}-${threadId}-${++generation}.mjs`);
  try {
    const result = await build({
      entryPoints: [file],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      metafile: true,
      sourcemap: 'inline',
      logLevel: 'silent',
      plugins: [
        {
          name: 'voxagent-self',
          setup(b) {
            b.onResolve({ filter: /^voxagent(\/(testing|openai|deepgram))?$/ }, (args) => ({
              path: fileURLToPath(new URL(SELF[args.path]!, import.meta.url)),
              external: true,
            }));
          },
        },
      ],
    });
    const files = Object.keys(result.metafile.inputs).map((p) => resolve(p));
    return { outfile, files: files.filter((p) => !p.includes('node_modules')) };
  } catch (err) {
    throw new ModuleBuildError(describeBuildError(err, path));
  }
}

/**
 * Builds the module (see `buildBundle`) and imports it. A fresh bundle per call is what lets
 * hot reload pick up every changed file.
 */
export async function importBundled(path: string): Promise<BundledModule> {
  const { outfile, files } = await buildBundle(path);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
  } finally {
    // Loaded into memory (source map inline): the file is not needed again.
    rmSync(outfile, { force: true });
  }
  return { exports, files };
}

/**
 * Removes bundles left by processes that are gone (a worker killed outright cannot remove
 * its own); a bundle's name carries the pid of the process that made it.
 */
function sweepStaleBundles(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = Number(/^module-(\d+)-\d+(-\d+)?\.mjs$/.exec(name)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    rmSync(join(dir, name), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is someone else's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether this code runs compiled (dist/, plain Node) rather than from TypeScript sources. */
export const runningCompiled = import.meta.url.endsWith('.js');

interface EsbuildMessage {
  text: string;
  location: { file: string; line: number; column: number } | null;
}

function describeBuildError(err: unknown, path: string): string {
  const errors = (err as { errors?: EsbuildMessage[] }).errors;
  const first = errors?.[0];
  if (!first) return `cannot build ${path}: ${err instanceof Error ? err.message : String(err)}`;
  const where = first.location
    ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: `
    : '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `${where}${first.text}${more}`;
}
