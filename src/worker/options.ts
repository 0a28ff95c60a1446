/**
 * `voxagent start` settings: flags, then LIVEKIT_URL / LIVEKIT_API_KEY / LIVEKIT_API_SECRET,
 * then defaults. Every mistake is one UsageError naming the flag and what it takes.
 */
import { availableParallelism } from 'node:os';
import type { ProviderFlags } from '../cli/providers.js';
import type { LogLevel } from '../livekit/rtc-log.js';
import { resolveRoomSettings } from '../livekit/settings.js';
import { UsageError } from '../runtime/core/errors.js';
import type { LogFormat } from './log.js';

/** The flags as commander gives them (strings, unparsed). */
export interface StartFlags extends ProviderFlags {
  url?: string;
  apiKey?: string;
  apiSecret?: string;
  agentName?: string;
  healthPort?: string;
  loadThreshold?: string;
  drainTimeout?: string;
  maxJobs?: string;
  idleProcesses?: string;
  jobMemoryLimit?: string;
  jobUnresponsiveTimeout?: string;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
}

export interface WorkerSettings {
  readonly url: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Empty: automatic dispatch into every new room; a name: explicit dispatch only. */
  readonly agentName: string;
  readonly healthPort: number;
  readonly loadThreshold: number;
  readonly drainTimeoutMs: number;
  readonly maxJobs: number | null;
  readonly idleProcesses: number;
  readonly jobMemoryLimitMb: number;
  readonly unresponsiveMs: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

export const DEFAULTS = {
  healthPort: 8081,
  loadThreshold: 0.7,
  drainTimeout: '30m',
  jobMemoryLimitMb: 1024,
  jobUnresponsiveTimeout: '30s',
} as const;

export function defaultIdleProcesses(): number {
  return Math.min(availableParallelism(), 4);
}

export function parseStartFlags(
  flags: StartFlags,
  env: Readonly<Record<string, string | undefined>> = process.env,
  stdoutIsTTY = process.stdout.isTTY === true,
): WorkerSettings {
  const room = resolveRoomSettings(flags, env);
  return {
    ...room,
    agentName: (flags.agentName ?? '').trim(),
    healthPort: integer('--health-port', flags.healthPort, DEFAULTS.healthPort, 0, 65_535),
    loadThreshold: loadThreshold(flags.loadThreshold),
    drainTimeoutMs: duration('--drain-timeout', flags.drainTimeout ?? DEFAULTS.drainTimeout),
    maxJobs: flags.maxJobs === undefined ? null : integer('--max-jobs', flags.maxJobs, 1, 1),
    idleProcesses: integer('--idle-processes', flags.idleProcesses, defaultIdleProcesses(), 1),
    jobMemoryLimitMb: integer(
      '--job-memory-limit',
      flags.jobMemoryLimit,
      DEFAULTS.jobMemoryLimitMb,
      64,
    ),
    unresponsiveMs: duration(
      '--job-unresponsive-timeout',
      flags.jobUnresponsiveTimeout ?? DEFAULTS.jobUnresponsiveTimeout,
      1000,
    ),
    logLevel: flags.logLevel ?? 'info',
    logFormat: flags.logFormat ?? (stdoutIsTTY ? 'text' : 'json'),
  };
}

function integer(
  flag: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `${min} to ${max}`;
    throw new UsageError(`${flag} must be a whole number, ${range} (got "${raw}")`);
  }
  return n;
}

function loadThreshold(raw: string | undefined): number {
  if (raw === undefined) return DEFAULTS.loadThreshold;
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1) {
    throw new UsageError(
      `--load-threshold must be a number above 0 and at most 1, e.g. 0.7 (got "${raw}")`,
    );
  }
  return n;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `30m`, `1h`, `500ms`; a bare number is seconds. */
export function duration(flag: string, raw: string, minMs = 0): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(raw);
  const ms = m ? Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000) : Number.NaN;
  if (!Number.isFinite(ms) || ms < minMs) {
    const least = minMs > 0 ? ` of at least ${minMs / 1000} s` : '';
    throw new UsageError(
      `${flag} must be a duration${least} such as 90s, 30m or 1h (got "${raw}")`,
    );
  }
  return Math.round(ms);
}
