import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLevel, LogLine, LogSource } from '../ui/types.js';

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Logs never write over the screen: they go to a file (its path is shown in the header)
 * and to the log panel. Credentials are masked before anything is written.
 */
export class Logger implements LogSource {
  readonly path: string;
  readonly #level: LogLevel;
  readonly #stream: WriteStream;
  readonly #listeners = new Set<(line: LogLine) => void>();
  readonly #secrets: string[];

  constructor(options: {
    level?: LogLevel;
    dir?: string;
    name: string;
    secrets?: (string | undefined)[];
  }) {
    const dir = options.dir ?? join(tmpdir(), 'voxagent', 'logs');
    mkdirSync(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    this.path = join(dir, `${options.name}-${stamp}-${process.pid}.log`);
    this.#stream = createWriteStream(this.path, { flags: 'a' });
    this.#level = options.level ?? 'info';
    this.#secrets = (options.secrets ?? []).filter((s): s is string => !!s && s.length >= 6);
  }

  debug(text: string): void {
    this.#write('debug', text);
  }
  info(text: string): void {
    this.#write('info', text);
  }
  warn(text: string): void {
    this.#write('warn', text);
  }
  error(text: string): void {
    this.#write('error', text);
  }

  onLine(fn: (line: LogLine) => void): { dispose(): void } {
    this.#listeners.add(fn);
    return { dispose: () => this.#listeners.delete(fn) };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#stream.end(resolve));
  }

  #write(level: LogLevel, raw: string): void {
    if (ORDER[level] < ORDER[this.#level]) return;
    const text = this.#mask(raw);
    this.#stream.write(`${new Date().toISOString()} ${level.padEnd(5)} ${text}\n`);
    for (const fn of this.#listeners) fn({ level, text });
  }

  #mask(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.split(secret).join('***');
    return out;
  }
}
