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

/** `text` hard-wrapped to `width` columns, at most `maxLines` lines (the last one marked cut). */
export function wrapLines(text: string, width: number, maxLines: number): string[] {
  const flat = text.replace(/\s+/g, ' ').trim();
  const w = Math.max(1, width);
  const lines: string[] = [];
  for (let at = 0; at < flat.length && lines.length < maxLines; at += w) {
    lines.push(flat.slice(at, at + w));
  }
  if (lines.length === maxLines && flat.length > maxLines * w) {
    const last = lines[maxLines - 1] ?? '';
    lines[maxLines - 1] = `${last.slice(0, w - 1)}…`;
  }
  return lines;
}
