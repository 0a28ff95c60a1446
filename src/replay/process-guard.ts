import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Problems agent code causes outside the runtime's reach: an exception thrown from a host
 * timer, a promise rejection nobody handles. While a guard is installed they become one
 * located line for the replay's report (`uncaught exception: Error: boom (at tools.ts:12:9)`)
 * instead of killing the process with a stack trace.
 */

export type ProblemSink = (line: string) => void;

/** voxagent's own code: src/, dist/ and plugins/ of this package. */
const OWN_DIRS = (() => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  // Compiled, this file is dist/src/replay/: the package root is one level further up.
  const pkg = root.endsWith(`${sep}dist${sep}`) ? root.slice(0, -'dist/'.length) : root;
  return ['src', 'dist', 'plugins'].map((d) => `${pkg}${d}${sep}`);
})();

const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/** `file:line:col` of the first stack frame in user code (not node, a package or voxagent). */
export function locate(err: unknown): string | null {
  const stack = err instanceof Error ? err.stack : undefined;
  if (!stack) return null;
  let fallback: string | null = null;
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME.exec(line);
    if (!m) continue;
    let file = m[1]!;
    if (file.startsWith('node:') || file.startsWith('internal/')) continue;
    if (file.startsWith('file://')) file = fileURLToPath(file);
    const where = `${displayPath(file)}:${m[2]}:${m[3]}`;
    fallback ??= where;
    if (file.includes(`${sep}node_modules${sep}`)) continue;
    if (OWN_DIRS.some((d) => file.startsWith(d))) continue;
    return where;
  }
  return fallback;
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/** `Error: boom (at agent.ts:12:9)`: the first line of the message and where it was thrown. */
export function describeThrown(err: unknown): string {
  const first = err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : String(err);
  const where = locate(err);
  return where ? `${first} (at ${where})` : first;
}

const sinks: ProblemSink[] = [];
let installed = false;

function report(kind: string, err: unknown): void {
  const line = `${kind}: ${describeThrown(err)}`;
  const sink = sinks.at(-1);
  if (sink) sink(line);
}

const onException = (err: unknown) => report('uncaught exception', err);
const onRejection = (err: unknown) => report('unhandled rejection', err);

/**
 * Sends uncaught exceptions and unhandled rejections to `sink` until the returned function
 * is called. Guards nest: the innermost one gets them. Without any guard the process
 * behaves as Node does by default.
 */
export function guardProcess(sink: ProblemSink): () => void {
  sinks.push(sink);
  if (!installed) {
    installed = true;
    process.on('uncaughtException', onException);
    process.on('unhandledRejection', onRejection);
  }
  return () => {
    const i = sinks.lastIndexOf(sink);
    if (i >= 0) sinks.splice(i, 1);
    if (sinks.length === 0 && installed) {
      installed = false;
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    }
  };
}
