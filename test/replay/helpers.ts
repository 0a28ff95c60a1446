import { expect } from 'vitest';
import { validateSessionObject } from '../../src/replay/load.js';
import type { Expectations } from '../../src/replay/schema-expect.js';
import type { TraceEvent } from '../../src/replay/trace.js';
import type { StepRecord } from '../../src/replay/types.js';
import type { SessionEvent } from '../../src/runtime/events/types.js';

/** Builds a synthetic event stream: seq numbers follow call order. */
export class EventListBuilder {
  readonly events: SessionEvent[] = [];

  add<T extends SessionEvent['type']>(
    type: T,
    t: number,
    payload: Omit<Extract<SessionEvent, { type: T }>, 'type' | 't' | 'seq'>,
  ): this {
    this.events.push({ type, t, seq: this.events.length, ...payload } as SessionEvent);
    return this;
  }
}

/** The `expect:` section of a session file, validated the way a file's is. */
export function expectationsFrom(expect: unknown): Expectations {
  const user = [
    { id: 'ask', speech: 'What is the weather?', at: 100, duration: 1000 },
    { id: 'barge', noise: 500, at: 2500 },
  ];
  return validateSessionObject({ agent: './agent.ts', user, expect }, 'inline').expect;
}

export function stepRecord(partial: Partial<StepRecord> & { index: number }): StepRecord {
  return {
    id: null,
    description: 'step',
    startedAt: null,
    endedAt: null,
    seqBefore: -1,
    input: null,
    error: null,
    ...partial,
  };
}

/** A barge-in: the user asks, the agent answers, the user talks over it at 2.5 s. */
export function bargeInEvents(): SessionEvent[] {
  const b = new EventListBuilder();
  b.add('session.started', 0, { agentId: 'agent_1', models: { llm: 'fake' } });
  b.add('agent.changed', 0, {
    agentId: 'agent_1',
    agentName: 'main',
    previousAgentId: null,
    reason: 'start',
    stack: ['agent_1'],
  });
  b.add('user.speech_started', 100, {});
  b.add('user.speech_ended', 1100, { speechMs: 1000 });
  b.add('user.turn', 1600, {
    turnId: 'turn_1',
    text: 'What is the weather?',
    source: 'speech',
    agentId: 'agent_1',
    waited: false,
  });
  b.add('history.added', 1600, {
    itemId: 'h1',
    kind: 'message',
    role: 'user',
    text: 'What is the weather?',
    interrupted: false,
  });
  b.add('speech.created', 1600, {
    speechId: 'speech_1',
    agentId: 'agent_1',
    source: 'reply',
    origin: 'api',
    allowInterruptions: true,
    priority: 0,
    text: null,
    originToolCallId: null,
    originTaskId: null,
    userTurnId: 'turn_1',
  });
  b.add('speech.queued', 1600, { speechId: 'speech_1', step: 0, state: 'queued' });
  b.add('speech.generating', 1600, { speechId: 'speech_1', step: 0, state: 'generating' });
  b.add('speech.playing', 1800, { speechId: 'speech_1', step: 0, state: 'playing' });
  b.add('user.speech_started', 2500, {});
  b.add('speech.interrupted', 3000, {
    speechId: 'speech_1',
    step: 0,
    state: 'interrupting',
    by: 'user_speech',
    force: false,
  });
  b.add('speech.done', 3010, {
    speechId: 'speech_1',
    state: 'done',
    reason: 'interrupted',
    playedMs: 1200,
    totalMs: 3000,
    spokenText: 'It is sunny',
    fullText: 'It is sunny in Paris today.',
    error: null,
  });
  b.add('history.added', 3010, {
    itemId: 'h2',
    kind: 'message',
    role: 'assistant',
    text: 'It is sunny',
    interrupted: true,
  });
  return b.events;
}

/** What Perfetto and chrome://tracing need to draw a JSON trace. */
export function assertValidTrace(trace: { traceEvents: TraceEvent[] }): void {
  const json = JSON.parse(JSON.stringify(trace)) as {
    traceEvents: TraceEvent[];
    displayTimeUnit: string;
  };
  expect(json.displayTimeUnit).toBe('ms');
  const spansByTid = new Map<number, { ts: number; end: number }[]>();
  for (const e of json.traceEvents) {
    expect(['X', 'i', 'M', 'C']).toContain(e.ph);
    expect(typeof e.name).toBe('string');
    expect(Number.isInteger(e.pid)).toBe(true);
    expect(Number.isInteger(e.tid)).toBe(true);
    expect(Number.isFinite(e.ts)).toBe(true);
    if (e.ph === 'X') {
      expect(e.dur).toBeGreaterThanOrEqual(0);
      const list = spansByTid.get(e.tid) ?? [];
      list.push({ ts: e.ts, end: e.ts + (e.dur ?? 0) });
      spansByTid.set(e.tid, list);
    }
    if (e.ph === 'i') expect(['t', 'p', 'g']).toContain(e.s);
    if (e.ph === 'M')
      expect(typeof e.args?.name === 'string' || typeof e.args?.sort_index === 'number').toBe(true);
  }
  // Spans on one thread must nest or be disjoint, or viewers drop them.
  for (const spans of spansByTid.values()) {
    for (const a of spans) {
      for (const b of spans) {
        const overlap = a.ts < b.end && b.ts < a.end;
        const nested = (a.ts <= b.ts && b.end <= a.end) || (b.ts <= a.ts && a.end <= b.end);
        expect(!overlap || nested).toBe(true);
      }
    }
  }
}
