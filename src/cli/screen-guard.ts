/**
 * Nothing writes over the console's screen: while it is up, process warnings (Node prints
 * them to stderr, e.g. `MaxListenersExceededWarning`), `console.*` calls and anything written
 * to stderr go to the log (its file and the log panel) instead. Undone by `dispose()`, so a
 * line printed after the screen is gone (the exit message) reaches the terminal.
 */
import { format } from 'node:util';
import type { LogLevel } from '../ui/types.js';

export interface GuardLog {
  debug(text: string): void;
  info(text: string): void;
  warn(text: string): void;
  error(text: string): void;
}

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug';
const CONSOLE_LEVELS: Record<ConsoleMethod, LogLevel> = {
  log: 'info',
  info: 'info',
  warn: 'warn',
  error: 'error',
  debug: 'debug',
};

export interface ScreenGuard {
  dispose(): void;
}

export function guardScreen(log: GuardLog): ScreenGuard {
  const undo: (() => void)[] = [];
  undo.push(routeWarnings(log), routeConsole(log), routeStderr(log));
  let disposed = false;
  return {
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const fn of undo.reverse()) fn();
    },
  };
}

/** Node's own printer is a 'warning' listener: it is set aside while ours logs instead. */
function routeWarnings(log: GuardLog): () => void {
  const printers = process.listeners('warning');
  for (const fn of printers) process.off('warning', fn);
  const onWarning = (warning: Error) => log.warn(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  return () => {
    process.off('warning', onWarning);
    for (const fn of printers) process.on('warning', fn);
  };
}

function routeConsole(log: GuardLog): () => void {
  const saved = new Map<ConsoleMethod, (...args: unknown[]) => void>();
  for (const method of Object.keys(CONSOLE_LEVELS) as ConsoleMethod[]) {
    saved.set(method, console[method]);
    const level = CONSOLE_LEVELS[method];
    console[method] = (...args: unknown[]) => log[level](`console.${method}: ${format(...args)}`);
  }
  return () => {
    for (const [method, fn] of saved) console[method] = fn;
  };
}

/** Whole lines of what is written to stderr, as warnings (a partial line waits for its end). */
function routeStderr(log: GuardLog): () => void {
  const stderr = process.stderr;
  const original = stderr.write;
  let partial = '';
  const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : Buffer.from(chunk as Uint8Array).toString(
            typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
          );
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') log.warn(`stderr: ${line}`);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  };
  stderr.write = write as typeof stderr.write;
  return () => {
    if (partial.trim() !== '') log.warn(`stderr: ${partial}`);
    stderr.write = original;
  };
}
