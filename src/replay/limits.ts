import { formatDuration } from './duration.js';

/**
 * Bounds on what a session file may ask for, so hostile or broken input (an alias bomb, a
 * 50 MB file, a duration of 10^300 ms) is rejected at once with its place in the file,
 * instead of exhausting memory or time. Each is far beyond what a real session needs: a
 * 6,000-turn session file is ~2 MB with ~20,000 list items.
 */
export const LIMITS = {
  /** Session file size. Parsing costs ~80× the text in memory. */
  fileBytes: 8 * 1024 * 1024,
  /** YAML aliases (`*name`) in one file; each may expand to a whole subtree. */
  aliases: 100,
  /** Items in one list: user steps, scripted replies, expectations. */
  listItems: 100_000,
  /** Any duration or time: a day. */
  durationMs: 24 * 60 * 60 * 1000,
  /** `nth` of an anchor. */
  nth: 1_000_000,
  /** Scripted TTS speed: at most this per character. */
  msPerChar: 10_000,
  /** Small counts: words, tool steps, retries. */
  count: 10_000,
} as const;

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1)} MB`
    : `${Math.ceil(bytes / 1024)} KB`;
}

export const DURATION_LIMIT_TEXT = formatDuration(LIMITS.durationMs);
