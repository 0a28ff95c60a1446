/**
 * Durations and times in session files: `1200ms`, `1.2s`, `2m`, `1h`, or a bare number of
 * milliseconds. Everything inside the replay code is milliseconds.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$/;

/** Milliseconds for a duration written in a session file, or null if it is not one. */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const m = DURATION.exec(value);
  if (!m) return null;
  const unit = UNIT_MS[m[2] ?? 'ms'] ?? 1;
  // Rounded to a microsecond so `1.1s` gives 1100, not 1100.0000000000002.
  return Math.round(Number(m[1]) * unit * 1000) / 1000;
}

/** The way durations are written back into session files (recordings, messages). */
export function formatDuration(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0 && ms >= 600_000) return `${ms / 60_000}m`;
  if (ms !== 0 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${Math.round(ms * 1000) / 1000}ms`;
}
