import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `node [flags] file args…` and returns its last stdout line parsed as JSON. */
export function runChild<T>(
  flags: string[],
  file: string,
  args: string[],
  timeoutMs = 120_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, file, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(
          new Error(
            `child ${file} ${args.join(' ')} exited ${code}: ${err.trim().split('\n').at(-1)}`,
          ),
        );
      }
    });
  });
}

function withoutCI(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { CI: _ci, ...rest } = env;
  return rest;
}

/** Wall time of a whole process from spawn to exit, in ms; rejects on a non-zero exit. */
export function timeProcess(
  args: string[],
  options: { untilOutput?: boolean; timeoutMs?: number } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Ink withholds its output under any CI variable (even empty): remove it.
      env: { ...withoutCI(process.env), FORCE_COLOR: '0' },
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.stdout.on('data', () => {
      if (!options.untilOutput) return;
      const dt = performance.now() - t0;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(dt);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (options.untilOutput) reject(new Error(`no output before exit (${code}): ${err.trim()}`));
      else if (code === 0) resolve(performance.now() - t0);
      else reject(new Error(`exit ${code}: ${err.trim().split('\n').at(-1)}`));
    });
  });
}
