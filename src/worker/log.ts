/**
 * The worker's log: one line per event that matters, on stdout, as JSON (for log collectors)
 * or text (for people). Fields are flat key/values (`job_id`, `room`…); secrets are masked
 * before anything is written.
 */
import type { LogLevel } from '../livekit/rtc-log.js';

export type LogFormat = 'json' | 'text';
/** Flat key/values; objects are written as JSON (nested in `json`, inline in `text`). */
export type LogFields = Readonly<Record<string, unknown>>;

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface WorkerLogOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Values that must never appear (API secret, tokens); shorter than 6 characters are ignored. */
  readonly secrets?: readonly (string | undefined)[];
  /** Where lines go (default: process.stdout). */
  readonly write?: (line: string) => void;
}

export class WorkerLog {
  readonly level: LogLevel;
  readonly #format: LogFormat;
  readonly #secrets: string[];
  readonly #write: (line: string) => void;
  readonly #fields: LogFields;

  constructor(options: WorkerLogOptions, fields: LogFields = {}) {
    this.level = options.level;
    this.#format = options.format;
    this.#secrets = (options.secrets ?? []).filter((s): s is string => !!s && s.length >= 6);
    this.#write = options.write ?? ((line) => process.stdout.write(line));
    this.#fields = fields;
  }

  /** A log whose every line also carries `fields` (e.g. the job id). */
  with(fields: LogFields): WorkerLog {
    const options = {
      level: this.level,
      format: this.#format,
      secrets: this.#secrets,
      write: this.#write,
    };
    return new WorkerLog(options, { ...this.#fields, ...fields });
  }

  /** Masks a secret that becomes known later (an assignment's token). */
  addSecret(secret: string): void {
    if (secret.length >= 6) this.#secrets.push(secret);
  }

  enabled(level: LogLevel): boolean {
    return ORDER[level] >= ORDER[this.level];
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }

  log(level: LogLevel, msg: string, fields: LogFields = {}): void {
    if (!this.enabled(level)) return;
    const all: Record<string, unknown> = { ...this.#fields, ...fields };
    for (const key of Object.keys(all)) if (all[key] === undefined) delete all[key];
    const time = new Date().toISOString();
    const line =
      this.#format === 'json'
        ? JSON.stringify({ time, level, msg, ...all })
        : `${time} ${level.toUpperCase().padEnd(5)} ${msg}${textFields(all)}`;
    this.#write(`${this.#mask(line)}\n`);
  }

  #mask(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.split(secret).join('***');
    return out;
  }
}

function textFields(fields: Record<string, unknown>): string {
  let out = '';
  for (const [key, value] of Object.entries(fields)) {
    const v = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
    out += ` ${key}=${/^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)}`;
  }
  return out;
}
