/**
 * How many lines each block of the screen may use. A frame as tall as the terminal makes Ink
 * clear the screen and redraw from the top on every frame, which scrolls the header away, so
 * the whole frame is planned to stay at least one line shorter than the terminal: the header,
 * the alerts and the footer get what they need, the panels share the rest.
 */

export type PanelName = 'speech' | 'tools' | 'tasks' | 'conversation' | 'metrics' | 'logs';

export interface ScreenNeeds {
  /** Terminal height. */
  rows: number;
  /** Lines the header, the footer and the open input line take (see their `…Lines` helpers). */
  fixedLines: number;
  /** Lines the alerts would like (see `alertLines`). */
  alertLines: number;
  /** Lines the alerts must have: a deadlock's box (its cycle and description) is never cut. */
  pinnedAlertLines?: number;
  showLogs: boolean;
}

export interface ScreenPlan {
  /** A blank line between blocks: only where the terminal is tall enough to spare them. */
  gap: boolean;
  alerts: number;
  /** Lines left below the alerts: what the panels share, or the help uses in their place. */
  free: number;
  /** Lines per panel, its title included; 0 for a panel not shown. */
  panels: Readonly<Record<PanelName, number>>;
}

/** Rows from which blocks get a blank line between them. */
export const ROOMY_ROWS = 40;

/** The least a panel needs: its title and one row (the speech panel: one speech, two lines). */
const MIN: Record<PanelName, number> = {
  speech: 3,
  tools: 2,
  tasks: 2,
  conversation: 2,
  metrics: 2,
  logs: 2,
};
/** Beyond this a panel gains nothing a developer reads. */
const MAX: Record<PanelName, number> = {
  speech: 13,
  tools: 6,
  tasks: 5,
  conversation: 11,
  metrics: 5,
  logs: 10,
};
/** Who gets spare lines first, in proportion. */
const WEIGHT: Record<PanelName, number> = {
  speech: 3,
  tools: 1,
  tasks: 1,
  conversation: 3,
  metrics: 1,
  logs: 2,
};

export function planScreen(needs: ScreenNeeds): ScreenPlan {
  const gap = needs.rows >= ROOMY_ROWS;
  const shown: PanelName[] = ['speech', 'tools', 'tasks', 'conversation', 'metrics'];
  if (needs.showLogs) shown.push('logs');
  const alertCap = Math.max(gap ? 8 : 2, needs.pinnedAlertLines ?? 0);
  const alerts = Math.min(needs.alertLines, alertCap);
  // One line stays free below the frame; a gap precedes each panel and the alerts.
  const gaps = gap ? shown.length + (alerts > 0 ? 1 : 0) : 0;
  const below = needs.rows - 1 - needs.fixedLines - alerts - (gap && alerts > 0 ? 1 : 0);
  let free = needs.rows - 1 - needs.fixedLines - alerts - gaps;
  const panels: Record<PanelName, number> = {
    speech: 0,
    tools: 0,
    tasks: 0,
    conversation: 0,
    metrics: 0,
    logs: 0,
  };
  // Minimums in order of importance; a terminal too small for all drops the last ones.
  for (const name of shown) {
    const want = Math.min(MIN[name], Math.max(0, free));
    panels[name] = want >= 2 || (want === 1 && name !== 'speech') ? want : 0;
    free -= panels[name];
  }
  while (free > 0) {
    const growable = shown.filter((n) => panels[n] > 0 && panels[n] < MAX[n]);
    if (growable.length === 0) break;
    const next = growable.reduce((a, b) => (panels[b] / WEIGHT[b] < panels[a] / WEIGHT[a] ? b : a));
    panels[next]++;
    free--;
  }
  return { gap, alerts, free: Math.max(0, below - (gap ? 1 : 0)), panels };
}
