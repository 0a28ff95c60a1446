import { expect, test } from 'vitest';
import { initialLogs, logsReducer, MAX_LOG_LINES } from '../../../src/ui/state/logs.js';
import { initialSessionInfo, sessionInfoReducer } from '../../../src/ui/state/session.js';
import { initialUi, uiReducer } from '../../../src/ui/state/ui.js';
import { ev, fold } from '../helpers.js';

test('log lines are a bounded ring that counts what it dropped', () => {
  const lines = Array.from({ length: MAX_LOG_LINES + 7 }, (_, i) => ({
    level: 'info' as const,
    text: `line ${i}`,
  }));
  const s = logsReducer(logsReducer(initialLogs, lines.slice(0, 10)), lines.slice(10));
  expect(s.lines).toHaveLength(MAX_LOG_LINES);
  expect(s.dropped).toBe(7);
  expect(s.lines.at(-1)!.text).toBe(`line ${MAX_LOG_LINES + 6}`);
  expect(logsReducer(s, [])).toBe(s);
});

test('session status follows start, closing and closed', () => {
  const s = fold(sessionInfoReducer, initialSessionInfo, [
    ev('session.started', 0, { agentId: 'a', models: {} }),
    ev('agent.changed', 0, {
      agentId: 'a',
      agentName: 'Assistant',
      previousAgentId: null,
      reason: 'start',
      stack: ['a'],
    }),
    ev('session.closing', 5, { reason: 'user quit' }),
  ]);
  expect(s).toMatchObject({
    status: 'closing',
    reason: 'user quit',
    agentName: 'Assistant',
    startedAt: 0,
  });
  expect(sessionInfoReducer(s, ev('session.closed', 6, { reason: 'user quit' })).status).toBe(
    'closed',
  );
});

test('the input line edits by code point and is capped', () => {
  let s = uiReducer(initialUi('audio', false), { type: 'line.open', kind: 'user' });
  s = uiReducer(s, { type: 'line.type', text: 'hi 👋' });
  s = uiReducer(s, { type: 'line.backspace' });
  expect(s.line).toEqual({ kind: 'user', text: 'hi ' });
  s = uiReducer(s, { type: 'line.type', text: 'x'.repeat(5000) });
  expect(s.line!.text.length).toBe(2000);
  expect(uiReducer(s, { type: 'line.close' }).line).toBeNull();
  expect(uiReducer(s, { type: 'mode', mode: 'audio' })).toBe(s);
});
