/** Shared statistics and the result table of the benchmarks. */

export interface Summary {
  n: number;
  median: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** One line of the result table. `met: null` means there is no target or no measurement. */
export interface Row {
  id: string;
  figure: string;
  median: number | null;
  p95: number | null;
  unit: string;
  target: string;
  met: boolean | null;
  /** How it was measured (repetitions), or why it was skipped. */
  note: string;
}

export const skipped = (id: string, figure: string, target: string, why: string): Row => ({
  id,
  figure,
  median: null,
  p95: null,
  unit: '',
  target,
  met: null,
  note: why,
});

function fmt(v: number | null, unit: string): string {
  if (v === null || Number.isNaN(v)) return '—';
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : Math.abs(v) >= 1 ? 2 : 3;
  return `${v.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

export function formatTable(rows: readonly Row[]): string {
  const head = ['', 'figure', 'median', 'p95', 'target', 'met?', 'how'];
  const body = rows.map((r) => [
    r.id,
    r.figure,
    fmt(r.median, r.unit),
    fmt(r.p95, r.unit),
    r.target,
    r.met === null ? (r.median === null ? 'skipped' : '—') : r.met ? 'yes' : 'NO',
    r.note,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Milliseconds since an arbitrary origin, from the high-resolution wall clock. */
export const now = (): number => performance.now();

/** Lets pending I/O and timers run (between repetitions). */
export const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
