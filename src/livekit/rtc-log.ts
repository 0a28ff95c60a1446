/**
 * rtc-node logs through a module-level pino logger that writes JSON lines straight to file
 * descriptor 1 (pino's sonic-boom destination): e.g. `{"level":20,...,"msg":"Connect callback
 * received"}` on every connect. That bypasses `process.stdout.write`, so neither Ink's console
 * patching nor a stdout hook can catch it, and it would tear an Ink screen.
 *
 * rtc-node has no option or environment variable for its logger (NODE_ENV=production only
 * raises the level to info), and does not export it. Its package ships the CommonJS build
 * file by file and its ESM entry re-exports that build, so `dist/log.cjs` is one module
 * instance shared by the whole library. We load that same instance and swap the logger's
 * destination (pino's public `symbols.streamSym`) for a sink that forwards each line to our
 * log. Nothing else in the process is touched. If a future rtc-node moves the file, this
 * reports failure (the caller warns once) and the contract test fails loudly.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type RoomLog = (level: LogLevel, message: string) => void;

interface PinoSymbols {
  symbols: { streamSym: symbol };
}

const sinks = new Set<RoomLog>();
let installed: boolean | null = null;

function levelOf(n: unknown): LogLevel {
  const v = typeof n === 'number' ? n : 30;
  if (v >= 50) return 'error';
  if (v >= 40) return 'warn';
  if (v >= 30) return 'info';
  return 'debug';
}

function forward(line: string): void {
  let level: LogLevel = 'info';
  let message = line.trim();
  try {
    const parsed = JSON.parse(line) as {
      level?: unknown;
      msg?: unknown;
      err?: { message?: unknown };
    };
    level = levelOf(parsed.level);
    const err = typeof parsed.err?.message === 'string' ? ` (${parsed.err.message})` : '';
    message = `${typeof parsed.msg === 'string' ? parsed.msg : message}${err}`;
  } catch {
    // not JSON: forward the raw line
  }
  for (const sink of sinks) sink(level, `rtc: ${message}`);
}

/** Routes rtc-node's log lines away from stdout, once per process. Returns whether it worked. */
export function captureRtcLogs(): boolean {
  if (installed !== null) return installed;
  try {
    const require = createRequire(import.meta.url);
    const logFile = join(dirname(require.resolve('@livekit/rtc-node')), 'log.cjs');
    // Narrow casts at a library boundary: these are the shapes pino documents.
    const { log } = require(logFile) as { log: Record<symbol, unknown> };
    const pino = createRequire(logFile)('pino') as PinoSymbols;
    const sym = pino.symbols.streamSym;
    if (typeof log !== 'object' || log === null || !(sym in log)) throw new Error('no pino logger');
    log[sym] = { write: forward };
    installed = true;
  } catch {
    installed = false;
  }
  return installed;
}

/** Adds a receiver for rtc-node's log lines; returns its removal. */
export function addRtcLogSink(sink: RoomLog): () => void {
  sinks.add(sink);
  return () => sinks.delete(sink);
}
