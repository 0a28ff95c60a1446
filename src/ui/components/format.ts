/** Small text formatters shared by the panels. */

export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–';
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)}ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(1)}s`;
  const m = Math.floor(v / 60_000);
  const s = Math.floor((v % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

/** One line of at most `max` characters, newlines flattened. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The end of `text` on one line: for speech already heard, the latest words matter. */
export function oneLineTail(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `…${flat.slice(flat.length - max + 1)}` : flat;
}

/** A bar for a linear level (0..1), drawn on a dB scale since speech sits far below 1. */
export function levelBar(level: number, width: number): string {
  const db = level > 0 ? 20 * Math.log10(level) : -Infinity;
  const filled = Math.round(Math.min(1, Math.max(0, (db + 60) / 60)) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}
