import { cleanup, render } from 'ink-testing-library';
import type { ReactElement } from 'react';
import { afterEach, expect, test } from 'vitest';
import { Alerts } from '../../../src/ui/components/alerts.js';
import { Conversation } from '../../../src/ui/components/conversation.js';
import { Header } from '../../../src/ui/components/header.js';
import { Help } from '../../../src/ui/components/help.js';
import { LogPanel } from '../../../src/ui/components/log-panel.js';
import { Metrics } from '../../../src/ui/components/metrics.js';
import { Tasks } from '../../../src/ui/components/tasks.js';
import { Tools } from '../../../src/ui/components/tools.js';
import { alertsReducer, initialAlerts } from '../../../src/ui/state/alerts.js';
import { conversationReducer, initialConversation } from '../../../src/ui/state/conversation.js';
import { initialLogs, logsReducer } from '../../../src/ui/state/logs.js';
import { initialMetrics, metricsReducer } from '../../../src/ui/state/metrics.js';
import { initialSessionInfo, sessionInfoReducer } from '../../../src/ui/state/session.js';
import { initialTasks, tasksReducer } from '../../../src/ui/state/tasks.js';
import { initialTools, toolsReducer } from '../../../src/ui/state/tools.js';
import { ev, fold, header, plain, turnMetrics } from '../helpers.js';

afterEach(() => cleanup());

const draw = (node: ReactElement) => plain(render(node).lastFrame());

test('Tools: running call with its timer, finished with output, error and interruption', () => {
  const state = fold(toolsReducer, initialTools, [
    ev('tool.started', 0, {
      toolCallId: 'c1',
      providerCallId: 'c1',
      name: 'lookup',
      arguments: '{"q":"a"}',
      speechId: 's',
      agentId: 'a',
    }),
    ev('tool.finished', 40, {
      toolCallId: 'c1',
      providerCallId: 'c1',
      name: 'lookup',
      speechId: 's',
      durationMs: 40,
      output: 'found 3',
      isError: false,
      interrupted: false,
      error: null,
    }),
    ev('tool.started', 50, {
      toolCallId: 'c2',
      providerCallId: 'c2',
      name: 'book',
      arguments: '{}',
      speechId: 's',
      agentId: 'a',
    }),
    ev('tool.finished', 70, {
      toolCallId: 'c2',
      providerCallId: 'c2',
      name: 'book',
      speechId: 's',
      durationMs: 20,
      output: 'failed',
      isError: true,
      interrupted: true,
      error: 'TypeError: x is undefined',
    }),
    ev('tool.started', 100, {
      toolCallId: 'c3',
      providerCallId: 'c3',
      name: 'weather',
      arguments: '{"city":"Oslo"}',
      speechId: 's',
      agentId: 'a',
    }),
  ]);
  const frame = draw(<Tools calls={state.calls} now={1300} />);
  expect(frame).toContain('Tools 1 running');
  expect(frame).toContain('⚙ weather({"city":"Oslo"}) running 1.2s');
  expect(frame).toContain('✗ book({}) 20ms ⚠ interrupted → TypeError: x is undefined');
  expect(frame).toContain('✓ lookup({"q":"a"}) 40ms → found 3');
  expect(frame.indexOf('weather')).toBeLessThan(frame.indexOf('book'));
});

test('Tasks: the stack by name and each task with its outcome', () => {
  const state = fold(tasksReducer, initialTasks, [
    ev('agent.changed', 0, {
      agentId: 'a1',
      agentName: 'Assistant',
      previousAgentId: null,
      reason: 'start',
      stack: ['a1'],
    }),
    ev('task.started', 100, {
      taskId: 'k1',
      name: 'CollectEmail',
      awaitedBy: 'call_1',
      parentAgentId: 'a1',
    }),
    ev('agent.changed', 100, {
      agentId: 'k1',
      agentName: 'CollectEmail',
      previousAgentId: 'a1',
      reason: 'task_started',
      stack: ['a1', 'k1'],
    }),
    ev('task.started', 110, {
      taskId: 'k0',
      name: 'Verify',
      awaitedBy: 'external',
      parentAgentId: 'a1',
    }),
    ev('task.failed', 120, { taskId: 'k0', name: 'Verify', error: 'Error: bad code' }),
  ]);
  const frame = draw(<Tasks state={state} now={2100} />);
  expect(frame).toContain('stack Assistant › CollectEmail');
  expect(frame).toContain('● CollectEmail running 2.0s · awaited by call_1');
  expect(frame).toContain('✗ Verify failed 10ms · awaited by external · Error: bad code');
});

test('Conversation: user turns, the agent cut off with its interruption, the live transcript', () => {
  const state = fold(conversationReducer, initialConversation, [
    ev('user.turn', 1, {
      turnId: 'u1',
      text: 'book a table',
      source: 'text',
      agentId: 'a',
      waited: false,
    }),
    ev('speech.interrupted', 2, {
      speechId: 's1',
      step: 0,
      state: 'interrupting',
      by: 'user_speech',
      force: false,
    }),
    ev('speech.done', 3, {
      speechId: 's1',
      state: 'done',
      reason: 'interrupted',
      playedMs: 1,
      totalMs: 2,
      spokenText: 'For how many',
      fullText: 'For how many people?',
      error: null,
    }),
    ev('user.transcript', 4, { text: 'four of', final: false }),
  ]);
  const frame = draw(<Conversation state={state} />);
  expect(frame).toContain('you (text): book a table');
  expect(frame).toContain('agent: For how many ✂ people? [interrupted by user_speech]');
  expect(frame).toContain('you (hearing): four of');
});

test('Metrics: states, mic and voice level meters, per-turn latencies and tokens', () => {
  const llm = (speechId: string, promptTokens: number, completionTokens: number) =>
    ev('metrics.llm', 2, {
      speechId,
      model: 'gpt-x',
      ttftMs: 200,
      ttfsMs: null,
      durationMs: 400,
      promptTokens,
      completionTokens,
    });
  const state = fold(metricsReducer, initialMetrics, [
    ev('agent.state', 0, { state: 'speaking' }),
    ev('user.state', 0, { state: 'listening' }),
    ev('metrics.eou', 1, { turnId: 'u1', endOfUtteranceDelayMs: 420, transcriptionDelayMs: 10 }),
    ev('speech.created', 1, {
      speechId: 's1',
      agentId: 'a',
      source: 'reply',
      origin: 'user',
      allowInterruptions: true,
      priority: 5,
      text: null,
      originToolCallId: null,
      originTaskId: null,
      userTurnId: 'u1',
    }),
    // Two model calls for one turn (a tool step): their tokens add up.
    llm('s1', 120, 30),
    llm('s1', 180, 12),
    ev('metrics.turn', 2, {
      ...turnMetrics('u1', 's1', 1250),
      parts: { ...turnMetrics('u1', 's1', 0).parts, endpointingMs: 420, llmTtftMs: 830 },
      endpointingSetting: 'minEndpointingDelayMs',
    }),
  ]);
  const frame = draw(<Metrics state={state} level={1} outputLevel={0} muted={false} />);
  expect(frame).toContain(
    'user listening · mic ████████████ · agent speaking · voice ░░░░░░░░░░░░',
  );
  expect(frame).toContain('u1 e2e 1.3s · eou 420ms · llm ttft 200ms · tts ttfb – · tokens 300→42');
  // Where the latest turn's time went: the parts that add up to e2e, the setting named.
  expect(frame).toContain('= endpointing 420ms (minEndpointingDelayMs) + llm ttft 830ms');
  expect(draw(<Metrics state={state} level={0} muted={true} />)).toContain('mic muted');
  const none = draw(<Metrics state={state} level={null} muted={false} />);
  expect(none).not.toContain('mic');
  expect(none).not.toContain('voice');
});

test('Alerts: a deadlock is pinned above the errors, with its cycle', () => {
  const state = fold(alertsReducer, initialAlerts, [
    ev('error', 1, {
      code: 'provider_error',
      message: 'connection reset',
      source: 'openai.tts',
      recoverable: false,
      status: 503,
    }),
    ev('warning', 2, { code: 'slow', message: 'slow first frame' }),
    ev('warning', 3, { code: 'slow', message: 'slow first frame' }),
    ev('deadlock', 4, {
      cycle: ['speech_3', 'call_2'],
      description: 'tool call_2 awaits its own speech',
      openWaits: ['call_2 → playout of speech_3 (2.0s)'],
    }),
  ]);
  const frame = draw(<Alerts state={state} />);
  expect(frame).toContain('DEADLOCK: speech_3 → call_2 → speech_3');
  expect(frame).toContain('waiting: call_2 → playout of speech_3 (2.0s)');
  expect(frame).toContain('⚠ warning slow: slow first frame ×2');
  expect(frame).toContain('✗ error provider_error [openai.tts] (503): connection reset (fatal)');
  expect(frame.indexOf('DEADLOCK')).toBeLessThan(frame.indexOf('warning'));
  expect(draw(<Alerts state={initialAlerts} />)).toBe('');
});

test('LogPanel: newest lines with level and time', () => {
  const state = logsReducer(initialLogs, [
    { level: 'info', text: 'first', t: 10 },
    { level: 'error', text: 'boom\nstack', t: 2500 },
  ]);
  const frame = draw(<LogPanel state={state} logFile="/tmp/va.log" maxLines={1} />);
  expect(frame).toContain('Log (full log: /tmp/va.log)');
  expect(frame).toContain('2.5s error boom stack');
  expect(frame).not.toContain('first');
});

test('Header: agent, status, models and why, notes, log file, reload notice, load error', () => {
  const session = fold(sessionInfoReducer, initialSessionInfo, [
    ev('session.started', 0, { agentId: 'a', models: {} }),
  ]);
  const info = {
    ...header,
    notes: ['no audio device: text mode'],
    logFile: '/tmp/va.log',
    sessionNotice: 'reloaded agent.ts',
  };
  const frame = draw(
    <Header info={info} session={session} sessionModels={{}} mode="text" muted={false} />,
  );
  expect(frame).toContain('voxagent dev · agent Assistant · running · mode text');
  expect(frame).toContain('models llm fake-llm (no OPENAI_API_KEY)');
  expect(frame).toContain('note: no audio device: text mode');
  expect(frame).toContain('log: /tmp/va.log');
  expect(frame).toContain('↻ reloaded agent.ts');
  const failed = draw(
    <Header
      info={{ ...info, models: [], loadError: 'SyntaxError: Unexpected token' }}
      session={initialSessionInfo}
      sessionModels={{ llm: 'gpt-x' }}
      mode="audio"
      muted={true}
    />,
  );
  expect(failed).toContain('load failed');
  expect(failed).toContain('mic muted');
  expect(failed).toContain('models llm gpt-x');
  expect(failed).toContain('✗ agent failed to load: SyntaxError: Unexpected token');
});

test('Help lists every key', () => {
  const frame = draw(<Help />);
  for (const k of ['i ', 'I ', 't, /', 's ', 'm ', 'a ', 'l ', '? ', 'q, Ctrl+C'])
    expect(frame).toContain(k);
});
