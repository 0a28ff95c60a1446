/**
 * The whole screen fits the terminal: at 80 × 24 with every panel busy, the log panel open,
 * the input line open, alerts and a deadlock, the frame stays shorter than the terminal (a
 * taller one makes Ink redraw from the top and the header scrolls away) and no line is wider.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { SessionEvent } from '../../src/runtime/events/types.js';
import { planScreen } from '../../src/ui/layout.js';
import { ev, fakeLogs, header, mountScreen, turnMetrics } from './helpers.js';

const ENTER = '\r';
const LONG =
  'Our coaches run programs every weekday afternoon and on weekends, for children from six to eighteen, with board games and chess.';

function busySession(): SessionEvent[] {
  const events: SessionEvent[] = [
    ev('session.started', 0, { agentId: 'agent_1', models: { llm: 'demo' } }),
    ev('agent.changed', 0, {
      agentId: 'agent_1',
      agentName: 'FrontDesk',
      previousAgentId: null,
      reason: 'start',
      stack: ['agent_1'],
    }),
  ];
  for (let i = 1; i <= 6; i++) {
    const id = `speech_${i}`;
    events.push(
      ev('speech.created', i * 10, {
        speechId: id,
        agentId: 'agent_1',
        source: 'reply',
        origin: 'user',
        allowInterruptions: true,
        priority: 5,
        text: null,
        originToolCallId: null,
        originTaskId: null,
        userTurnId: `turn_${i}`,
      }),
      ev('speech.text', i * 10 + 1, { speechId: id, step: 0, delta: LONG }),
      ...(i === 6
        ? [ev('speech.playing', i * 10 + 1, { speechId: id, step: 0, state: 'playing' })]
        : []),
      ev('user.turn', i * 10, {
        turnId: `turn_${i}`,
        text: `${LONG} (${i})`,
        source: 'text',
        agentId: 'agent_1',
        waited: false,
      }),
      ev('metrics.turn', i * 10 + 2, turnMetrics(`turn_${i}`, id, 900)),
      ev('tool.started', i * 10 + 3, {
        toolCallId: `fc_${i}`,
        providerCallId: 'call_same',
        name: 'get_programs',
        arguments: JSON.stringify({ text: LONG }),
        speechId: id,
        agentId: 'agent_1',
      }),
      ev('task.started', i * 10 + 4, {
        taskId: `task_${i}`,
        name: 'CollectAgeGender',
        awaitedBy: `tool get_programs (fc_${i})`,
        parentAgentId: 'agent_1',
      }),
      ev('warning', i * 10 + 5, { code: `slow_${i}`, message: LONG }),
    );
    if (i < 4) {
      events.push(
        ev('speech.done', i * 10 + 6, {
          speechId: id,
          state: 'done',
          reason: 'interrupted',
          playedMs: 500,
          totalMs: 5000,
          spokenText: LONG.slice(0, 30),
          fullText: LONG,
          error: null,
        }),
      );
    }
  }
  return events;
}

function expectFits(lines: string[], columns: number, rows: number): void {
  const shown = lines.join('\n');
  expect(lines.length, `${lines.length} lines:\n${shown}`).toBeLessThan(rows);
  expect(lines[0], shown).toMatch(/^voxagent dev · agent FrontDesk · (running|load failed)/);
  for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(columns);
}

const busyHeader = {
  ...header,
  models: [
    { role: 'llm', name: 'demo', why: 'no OPENAI_API_KEY: the agent module ships a demo model' },
    { role: 'tts', name: 'espeak-ng', why: 'offline default' },
    { role: 'stt', name: 'none', why: 'no DEEPGRAM_API_KEY' },
  ],
  notes: ['no audio device (ALSA: no card): text mode'],
  logFile: '/tmp/voxagent/logs/dev-2026-12-03T09-00-00-000Z-12345.log',
  sessionNotice: 'session 2 · reloaded after examples/front-desk.ts changed (09:41:02)',
};

describe('at 80 × 24 the screen fits with its header on top', () => {
  afterEach(() => undefined);

  test('every panel busy, then logs, the input line, help and a deadlock', async () => {
    const logs = fakeLogs();
    const app = mountScreen(80, 24, { header: busyHeader, logs: logs.source });
    await app.emit(...busySession());
    expectFits(app.lines(), 80, 24);
    // The speech holding the output comes first; what does not fit is counted in the title.
    expect(app.frame()).toContain('▶ speech_6 playing');
    expect(app.frame()).toMatch(/Speech 3 live · \d more not shown/);
    expect(app.frame()).toContain('Conversation');
    expect(app.frame()).toContain('Metrics');

    for (let i = 0; i < 20; i++) logs.log({ level: 'warn', text: `${LONG} ${i}` });
    await app.press('l');
    await app.step(50);
    expectFits(app.lines(), 80, 24);
    expect(app.frame()).toContain('Log (full log:');

    await app.press('t');
    for (const ch of LONG) await app.press(ch);
    expectFits(app.lines(), 80, 24);
    expect(app.frame()).toContain('you ›');
    await app.press(ENTER);
    expectFits(app.lines(), 80, 24);

    app.rerender({
      header: { ...busyHeader, loadError: `/work/agent.ts:3:22: ERROR: ${LONG} ${LONG}` },
    });
    await app.step(50);
    expectFits(app.lines(), 80, 24);
    expect(app.frame()).toContain('✗ agent failed to load: /work/agent.ts:3:22');

    await app.emit(
      ev('deadlock', 500, {
        cycle: ['tool get_programs (fc_1)', 'speech_1'],
        description: LONG,
        openWaits: [LONG, LONG, LONG],
      }),
    );
    expectFits(app.lines(), 80, 24);
    expect(app.frame()).toContain('DEADLOCK: tool get_programs (fc_1) → speech_1');

    await app.press('?');
    expectFits(app.lines(), 80, 24);
    expect(app.frame()).toContain('Keys');
    app.unmount();
  });

  test('inputs waiting for the session are listed in the footer, and the frame still fits', async () => {
    const app = mountScreen(80, 24, {
      header: { ...busyHeader, waitingInputs: ['you: hello', 'say: one moment', 'interrupt'] },
    });
    await app.emit(...busySession());
    expectFits(app.lines(), 80, 24);
    expect(app.frame()).toContain(
      '⧗ waiting for the session to start (3): you: hello · say: one moment · interrupt',
    );
    app.unmount();
  });

  test('a terminal resized from 120 × 50 to 80 × 24 gets a frame that fits', async () => {
    const app = mountScreen(120, 50, { header: busyHeader });
    await app.emit(...busySession());
    expect(app.lines().length).toBeLessThan(50);
    expect(app.frame()).toContain('\n\nSpeech'); // tall: blank lines between blocks
    app.stdout.resize(80, 24);
    await app.step(50);
    expectFits(app.lines(), 80, 24);
    app.unmount();
  });
});

test('the plan gives every panel its title and a row on 24 lines, and more on tall terminals', () => {
  const small = planScreen({ rows: 24, fixedLines: 6, alertLines: 3, showLogs: true });
  expect(small.gap).toBe(false);
  const used = Object.values(small.panels).reduce((a, b) => a + b, 0) + small.alerts;
  expect(used).toBeLessThanOrEqual(24 - 1 - 6);
  for (const lines of Object.values(small.panels)) expect(lines).toBeGreaterThanOrEqual(2);
  const tall = planScreen({ rows: 60, fixedLines: 6, alertLines: 3, showLogs: false });
  expect(tall.gap).toBe(true);
  expect(tall.panels.speech).toBeGreaterThan(small.panels.speech);
  expect(tall.panels.logs).toBe(0);
});
