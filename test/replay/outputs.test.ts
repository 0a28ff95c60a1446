import { describe, expect, it } from 'vitest';
import { canonicalEventLine, eventsHash, eventsToJsonl } from '../../src/replay/canonical.js';
import { formatResult, formatTimeline } from '../../src/replay/format.js';
import { type TraceEvent, toChromeTrace } from '../../src/replay/trace.js';
import type { ReplayResult } from '../../src/replay/types.js';
import type { SessionEvent } from '../../src/runtime/events/types.js';
import { assertValidTrace, bargeInEvents, EventListBuilder } from './helpers.js';

describe('canonical JSONL', () => {
  it('puts seq, t, type first and sorts every other key at every depth', () => {
    const line = canonicalEventLine({
      type: 'agent.changed',
      t: 5,
      seq: 3,
      stack: ['b', 'a'],
      reason: 'start',
      previousAgentId: null,
      agentName: 'main',
      agentId: 'agent_1',
    });
    expect(line).toBe(
      '{"seq":3,"t":5,"type":"agent.changed","agentId":"agent_1","agentName":"main","previousAgentId":null,"reason":"start","stack":["b","a"]}',
    );
    const nested = canonicalEventLine({
      type: 'session.started',
      t: 0,
      seq: 0,
      models: { tts: 'b', llm: 'a' },
      agentId: 'x',
    });
    expect(nested).toBe(
      '{"seq":0,"t":0,"type":"session.started","agentId":"x","models":{"llm":"a","tts":"b"}}',
    );
  });

  it('gives identical bytes and hash for the same events built in another key order', () => {
    const a = bargeInEvents();
    const b = a.map((e) => Object.fromEntries(Object.entries(e).reverse()) as typeof e);
    expect(eventsToJsonl(b)).toBe(eventsToJsonl(a));
    expect(eventsHash(b)).toBe(eventsHash(a));
    expect(eventsHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(eventsToJsonl(a).split('\n')).toHaveLength(a.length + 1);
  });

  it('changes the hash when anything changes', () => {
    const a = bargeInEvents();
    const b = bargeInEvents();
    const last = b.at(-1)!;
    b[b.length - 1] = { ...last, t: last.t + 1 } as SessionEvent;
    expect(eventsHash(b)).not.toBe(eventsHash(a));
  });
});

function laneNames(trace: { traceEvents: TraceEvent[] }): string[] {
  return trace.traceEvents.filter((e) => e.name === 'thread_name').map((e) => String(e.args?.name));
}

describe('Chrome trace', () => {
  it('is valid and has lanes for the user, the agent and each speech', () => {
    const trace = toChromeTrace(bargeInEvents(), { name: 'barge-in' });
    assertValidTrace(trace);
    expect(laneNames(trace)).toEqual([
      'session',
      'user',
      'agent state',
      'active agent',
      'speech speech_1',
    ]);
    const speech = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat.startsWith('speech'));
    expect(speech.map((e) => [e.name, e.ts, e.dur])).toEqual([
      ['speech_1 reply', 1_600_000, 1_410_000],
      ['queued', 1_600_000, 0],
      ['generating', 1_600_000, 200_000],
      ['playing', 1_800_000, 1_200_000],
      ['interrupting', 3_000_000, 10_000],
    ]);
  });

  it('puts overlapping tools and nested tasks on lanes that draw', () => {
    const b = new EventListBuilder();
    const tool = (id: string, t: number) =>
      b.add('tool.started', t, {
        toolCallId: id,
        providerCallId: id,
        name: `tool_${id}`,
        arguments: '{}',
        speechId: 's1',
        agentId: 'a',
      });
    const done = (id: string, t: number) =>
      b.add('tool.finished', t, {
        toolCallId: id,
        providerCallId: id,
        name: `tool_${id}`,
        speechId: 's1',
        durationMs: 0,
        output: 'ok',
        isError: false,
        interrupted: false,
        error: null,
      });
    tool('1', 0);
    tool('2', 10);
    b.add('task.started', 20, { taskId: 't1', name: 'Outer', awaitedBy: '1', parentAgentId: 'a' });
    b.add('task.started', 30, { taskId: 't2', name: 'Inner', awaitedBy: 'x', parentAgentId: 't1' });
    b.add('task.completed', 40, { taskId: 't2', name: 'Inner', durationMs: 10 });
    b.add('task.completed', 50, { taskId: 't1', name: 'Outer', durationMs: 30 });
    done('1', 60);
    done('2', 70);
    tool('3', 80);
    const trace = toChromeTrace(b.events, { name: 'tools', endMs: 100 });
    assertValidTrace(trace);
    expect(laneNames(trace)).toEqual([
      'session',
      'user',
      'agent state',
      'active agent',
      'tools #1',
      'tools #2',
      'tasks #1',
    ]);
    const unfinished = trace.traceEvents.find((e) => e.name === 'tool_3');
    expect(unfinished?.dur).toBe(20_000);
    expect(unfinished?.args?.unfinished).toBe(true);
  });
});

describe('human report', () => {
  const result: ReplayResult = {
    file: 'sessions/barge-in.yaml',
    name: 'barge-in',
    passed: false,
    expectations: [
      { description: 'user.turn', passed: true, detail: 'seen at 1600ms (seq 4)' },
      {
        description: 'speech.done { reason: "completed" }',
        passed: false,
        detail: 'expected; happened instead: speech.done at 3010ms {reason: "interrupted"}',
      },
    ],
    deadlocks: [],
    errors: [],
    endReason: 'idle',
    virtualMs: 4000,
    wallMs: 12.3,
    events: 14,
    eventsHash: 'x',
    steps: [],
    latency: [],
    eventLog: bargeInEvents(),
  };

  it('shows the timeline and expected vs happened for a failure', () => {
    const text = formatResult(result);
    expect(text.split('\n')[0]).toBe('✗ sessions/barge-in.yaml  14 events, 4s virtual, 12ms wall');
    expect(text).toContain('  ✓ user.turn');
    expect(text).toContain(
      '  ✗ speech.done { reason: "completed" }\n      expected; happened instead',
    );
    expect(text).toContain('3010ms  speech_1  done: interrupted, played 1200/3000ms "It is sunny"');
  });

  it('keeps passing files short', () => {
    const text = formatResult({ ...result, passed: true, expectations: [result.expectations[0]!] });
    expect(text.split('\n')).toHaveLength(2);
  });

  it('aligns the timeline', () => {
    const lines = formatTimeline(bargeInEvents(), '');
    expect(lines[0]).toBe('   0ms  session   started (agent agent_1)');
    expect(lines).toContain('1600ms  user      turn turn_1 (speech): "What is the weather?"');
  });
});

describe('canonical JSONL and error stacks', () => {
  it('keeps the error message but drops stack frames, which depend on the caller', () => {
    const b = new EventListBuilder();
    b.add('tool.finished', 10, {
      toolCallId: 'call_1',
      providerCallId: 'call_1',
      name: 'x',
      speechId: 'speech_1',
      durationMs: 10,
      output: 'An internal error occurred',
      isError: true,
      interrupted: false,
      error: 'Error: boom\n    at run (/a/b.ts:1:2)\n    at async /c/d.test.ts:8:15',
    });
    expect(eventsToJsonl(b.events)).toContain('"error":"Error: boom"');
  });
});
