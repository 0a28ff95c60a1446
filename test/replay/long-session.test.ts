/**
 * Long sessions: the replay's own work (driving the timeline, evaluating expectations,
 * the default checks, the trace) is linear in the session. Measured on a synthetic
 * 6,000-turn run so the runtime's cost does not blur it; bench/replay-long.ts measures
 * whole replays. The wall-clock bounds are 10–20× what the linear code needs on a loaded
 * machine; the quadratic code this replaced needed 5–30 s for each part.
 */
import { describe, expect, it } from 'vitest';
import { longSessionScript } from '../../bench/long-session.js';
import { defaultChecks } from '../../src/replay/checks.js';
import { type StepActions, TimelineDriver } from '../../src/replay/driver.js';
import { evaluateExpectations } from '../../src/replay/expectations.js';
import { validateSessionObject } from '../../src/replay/load.js';
import { runSessionScript } from '../../src/replay/runner.js';
import { toChromeTrace } from '../../src/replay/trace.js';
import { VirtualClock } from '../../src/runtime/clock/virtual-clock.js';
import type { SessionEvent } from '../../src/runtime/events/types.js';
import { EventListBuilder, stepRecord } from './helpers.js';

const TURNS = 6000;
const pad = (i: number) => String(i).padStart(6, '0');

/** What a 6,000-turn run emits, turn by turn (25 events each, a tool every tenth turn). */
function syntheticRun(turns: number): SessionEvent[] {
  const b = new EventListBuilder();
  let t = 0;
  /** The time `ms` later than the previous event. */
  const after = (ms: number) => {
    t += ms;
    return t;
  };
  for (let i = 1; i <= turns; i++) {
    const speechId = `speech_${i}`;
    const text = `question q${pad(i)}`;
    b.add('user.speech_started', after(200), {});
    b.add('user.speech_ended', after(1200), { speechMs: 1200 });
    b.add('user.transcript', after(100), { text, final: true });
    b.add('user.turn', after(300), {
      turnId: `turn_${i}`,
      text,
      source: 'speech',
      agentId: 'agent_1',
      waited: false,
    });
    b.add('history.added', t, {
      itemId: `item_${2 * i}`,
      kind: 'message',
      role: 'user',
      text,
      interrupted: false,
    });
    b.add('speech.created', t, {
      speechId,
      agentId: 'agent_1',
      source: 'reply',
      origin: 'user',
      allowInterruptions: true,
      priority: 5,
      text: null,
      originToolCallId: null,
      originTaskId: null,
      userTurnId: `turn_${i}`,
    });
    for (let k = 0; k < 12; k++) b.add('speech.text', t, { speechId, step: 0, delta: 'word ' });
    if (i % 10 === 0) {
      const call = { toolCallId: `fc_${i}`, providerCallId: `call_${i}`, name: 'lookup' };
      b.add('tool.started', after(100), { ...call, arguments: '{}', speechId, agentId: 'a' });
      b.add('tool.finished', after(50), {
        ...call,
        speechId,
        durationMs: 50,
        output: 'found',
        isError: false,
        interrupted: false,
        error: null,
      });
    }
    b.add('speech.playing', after(180), { speechId, step: 0, state: 'playing' });
    b.add('speech.done', after(900), {
      speechId,
      state: 'done',
      reason: 'completed',
      playedMs: 900,
      totalMs: 900,
      spokenText: `Answer a${pad(i)}.`,
      fullText: `Answer a${pad(i)}.`,
      error: null,
    });
  }
  return b.events;
}

describe(`a ${TURNS}-turn session`, () => {
  const script = validateSessionObject(
    longSessionScript({ turns: TURNS, agent: './agent.ts' }),
    'long',
  );
  const events = syntheticRun(TURNS);

  it('drives its timeline in linear time', async () => {
    const clock = new VirtualClock({ autoAdvance: false });
    const ran: string[] = [];
    const push = () => ran.push('step');
    const actions: StepActions = {
      speech: push,
      noise: push,
      text: push,
      interrupt: async () => {},
      say: push,
      reply: push,
      close: async () => {},
      reload: async () => {},
    };
    const driver = new TimelineDriver(script.user, clock, actions);
    driver.start();
    const started = performance.now();
    let next = 0;
    // Feed the run's events as the steps run: each speech.done releases the next step.
    while (next < events.length) {
      await clock.runUntilIdle();
      const e = events[next++]!;
      driver.onEvent({ ...e, t: clock.now(), seq: e.seq } as SessionEvent);
    }
    await clock.runUntilIdle();
    expect(ran).toHaveLength(TURNS);
    expect(driver.allRan).toBe(true);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('evaluates its expectations and default checks in linear time (twice its length)', () => {
    // Twice as long as the others: the quadratic checks took ~5 s at 6,000 turns, ~20 s here.
    const script = validateSessionObject(
      longSessionScript({ turns: 2 * TURNS, agent: './agent.ts' }),
      'long',
    );
    const events = syntheticRun(2 * TURNS);
    const steps = script.user.map((s) =>
      stepRecord({
        index: s.index,
        startedAt: 0,
        input: s.action.type === 'speech' ? s.action.transcript : null,
      }),
    );
    const started = performance.now();
    const evaluated = evaluateExpectations(script.expect, { events, steps, audio: [] });
    const checks = defaultChecks(script.expect, {
      events,
      steps,
      deadlocks: [],
      matchedSeqs: evaluated.matchedSeqs,
    });
    toChromeTrace(events, { name: 'long' });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(evaluated.results.filter((r) => !r.passed)).toEqual([]);
    expect(checks.every((c) => c.passed)).toBe(true);
  });

  it('fails a long run with short lines after the first misses, still quickly', () => {
    const started = performance.now();
    const wrong = validateSessionObject(
      {
        agent: './a.ts',
        expect: { events: events.map(() => ({ event: 'deadlock' })).slice(0, 3000) },
      },
      'x',
    );
    const { results } = evaluateExpectations(wrong.expect, { events, steps: [], audio: [] });
    expect(results.every((r) => !r.passed)).toBe(true);
    expect(results[0]!.detail).toMatch(/no deadlock event happened there/);
    expect(results[2999]!.detail).toBe('expected after seq -1; not found');
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('a 1,500-turn replay', () => {
  it('passes, ending idle', async () => {
    const agent = new URL('./fixtures/lookup-agent.ts', import.meta.url).pathname;
    const result = await runSessionScript(longSessionScript({ turns: 1500, agent }));
    expect(result.errors).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.endReason).toBe('idle');
  }, 120_000);
});
