import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { AgentLoadError } from './agent-loader.js';
import { eventsToJsonl } from './canonical.js';
import { formatResult, formatSummary } from './format.js';
import { SessionFileError } from './load.js';
import { runSessionFile } from './runner.js';
import { toChromeTrace } from './trace.js';
import { type ReplayResult, replayResultJson } from './types.js';

/**
 * `voxagent replay <paths...> [--json] [--events out.jsonl] [--trace out.json]`.
 * Exit code: 0 every file passed, 1 a replay failed, 2 bad input (a file that does not
 * parse or validate, an agent module that does not load, or no session file at all).
 */

export interface ReplayFlags {
  /** One JSON object per file, one per line, instead of the human report. */
  json?: boolean;
  /** Where to write the canonical JSONL events (a folder when several files run). */
  events?: string;
  /** Where to write the Chrome trace (a folder when several files run). */
  trace?: string;
}

export interface ReplayIO {
  out(text: string): void;
  err(text: string): void;
}

const processIO: ReplayIO = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

const SESSION_EXTENSIONS = new Set(['.yaml', '.yml']);

/** Files as given, folders expanded to their *.yaml / *.yml files (sorted, not recursive). */
export async function expandSessionPaths(
  paths: readonly string[],
): Promise<{ files: string[]; missing: string[] }> {
  const files: string[] = [];
  const missing: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => null);
    if (!info) missing.push(p);
    else if (!info.isDirectory()) files.push(p);
    else {
      const names = (await readdir(p)).filter((n) => SESSION_EXTENSIONS.has(extname(n))).sort();
      files.push(...names.map((n) => join(p, n)));
    }
  }
  return { files, missing };
}

function outputPath(target: string, file: string, several: boolean, suffix: string): string {
  return several ? join(target, `${basename(file, extname(file))}${suffix}`) : target;
}

async function writeOutputs(
  result: ReplayResult,
  flags: ReplayFlags,
  several: boolean,
): Promise<void> {
  if (flags.events) {
    const path = outputPath(flags.events, result.file, several, '.jsonl');
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, eventsToJsonl(result.eventLog));
  }
  if (flags.trace) {
    const path = outputPath(flags.trace, result.file, several, '.trace.json');
    await mkdir(dirname(path), { recursive: true });
    const trace = toChromeTrace(result.eventLog, {
      name: result.name,
      endMs: result.virtualMs,
      eventsHash: result.eventsHash,
    });
    await writeFile(path, `${JSON.stringify(trace)}\n`);
  }
}

export async function replayCommand(
  paths: string[],
  flags: ReplayFlags = {},
  io: ReplayIO = processIO,
): Promise<number> {
  const { files, missing } = await expandSessionPaths(paths);
  let badInput = missing.length > 0 || files.length === 0;
  for (const m of missing) io.err(`${m}: no such file or folder`);
  if (paths.length > 0 && files.length === 0 && missing.length === 0) {
    io.err(`no session files (*.yaml, *.yml) in ${paths.join(', ')}`);
  }
  if (paths.length === 0) io.err('give session files or folders to replay');
  const several = files.length > 1;
  const results: ReplayResult[] = [];
  for (const file of files) {
    try {
      const result = await runSessionFile(file);
      results.push(result);
      await writeOutputs(result, flags, several);
      io.out(flags.json ? JSON.stringify(replayResultJson(result)) : formatResult(result));
    } catch (err) {
      if (!(err instanceof SessionFileError || err instanceof AgentLoadError)) throw err;
      badInput = true;
      if (flags.json) {
        io.out(
          JSON.stringify({ file, passed: false, invalid: true, errors: err.message.split('\n') }),
        );
      } else {
        io.err(err.message);
      }
    }
  }
  if (!flags.json && results.length > 0) io.out(formatSummary(results));
  if (badInput) return 2;
  return results.every((r) => r.passed) ? 0 : 1;
}
