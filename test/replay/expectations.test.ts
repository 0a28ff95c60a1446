import { describe, expect, it } from 'vitest';
import { defaultChecks } from '../../src/replay/checks.js';
import { evaluateExpectations } from '../../src/replay/expectations.js';
import { pendingWork } from '../../src/replay/observed.js';
import { bargeInEvents, EventListBuilder, expectationsFrom, stepRecord } from './helpers.js';

const steps = [
  stepRecord({
    index: 0,
    id: 'ask',
    startedAt: 100,
    endedAt: 1100,
    seqBefore: 1,
    input: 'What is the weather?',
  }),
  stepRecord({ index: 1, id: 'barge', startedAt: 2500, endedAt: 3000, seqBefore: 9 }),
];

function evaluate(expect: unknown, events = bargeInEvents()) {
  return evaluateExpectations(expectationsFrom(expect), { events, steps }).results;
}

describe('event expectations', () => {
  it('match in order with field matchers', () => {
    const results = evaluate({
      events: [
        { event: 'user.turn', where: { text: '/weather/i', source: 'speech' } },
        { event: 'speech.playing', id: 'play' },
        {
          event: 'speech.done',
          where: {
            reason: 'interrupted',
            playedMs: { lt: '1.5s', gt: 0 },
            speechId: { sameAs: 'play.speechId' },
          },
        },
      ],
    });
    expect(results.map((r) => r.passed)).toEqual([true, true, true]);
    expect(results[2]?.detail).toBe('seen at 3010ms (seq 12)');
  });

  it('fail when out of order, saying that it happened earlier', () => {
    const [, second] = evaluate({ events: ['speech.done', 'user.turn'] });
    expect(second?.passed).toBe(false);
    expect(second?.detail).toContain(
      'a matching event happened earlier, out of order: user.turn at 1600ms',
    );
  });

  it('fail with what happened instead when fields do not match', () => {
    const [r] = evaluate({ events: [{ event: 'speech.done', where: { reason: 'completed' } }] });
    expect(r?.passed).toBe(false);
    expect(r?.description).toBe('speech.done { reason: "completed" }');
    expect(r?.detail).toBe(
      'expected; happened instead: speech.done at 3010ms {reason: "interrupted"}',
    );
  });

  it('check `within` windows against events, steps and earlier matches', () => {
    const results = evaluate({
      events: [
        {
          event: 'speech.interrupted',
          within: { of: { step: 'barge', edge: 'start' }, ms: '600ms' },
        },
        { event: 'speech.done', within: '5ms' },
        { event: 'speech.done', within: { of: 'user.speech_started', ms: '1s' } },
      ],
    });
    expect(results.map((r) => r.passed)).toEqual([true, false, false]);
    expect(results[1]?.detail).toBe(
      'expected within 5ms after speech.interrupted at 3000ms; happened at 3010ms (10ms after)',
    );
    // The second expectation took the only speech.done; a third cannot match it again.
    expect(results[2]?.detail).toContain('was already matched by an earlier expectation');
  });

  it('resolves nth events, `since` and a missing reference', () => {
    const results = evaluate({
      events: [
        {
          event: 'speech.interrupted',
          within: { of: { event: 'user.speech_started', nth: 2 }, ms: 500 },
        },
        {
          event: 'speech.done',
          within: { of: { event: 'user.speech_started', nth: 3 }, ms: 500 },
        },
      ],
    });
    expect(results[0]?.passed).toBe(true);
    expect(results[1]?.detail).toContain('but it happened only 2 time(s)');
  });

  it('check absolute windows with `at`', () => {
    const [inside, outside] = evaluate({
      events: [
        { event: 'speech.playing', at: { min: '1.5s', max: '2s' } },
        { event: 'speech.done', at: { max: '3s' } },
      ],
    });
    expect(inside?.passed).toBe(true);
    expect(outside?.detail).toBe('expected at <= 3s; happened at 3010ms (seq 12)');
  });
});

describe('never, history and audio', () => {
  it('never', () => {
    const [ok, bad] = evaluate({
      never: ['error', { event: 'speech.done', where: { reason: 'interrupted' } }],
    });
    expect(ok?.passed).toBe(true);
    expect(bad?.passed).toBe(false);
    expect(bad?.detail).toBe('happened: speech.done at 3010ms {reason: "interrupted"}');
  });

  it('history: exact and includes', () => {
    const results = evaluate({
      history: [
        { role: 'user', text: 'What is the weather?' },
        { role: 'assistant', text: '/sunny/', interrupted: true },
      ],
    });
    expect(results[0]?.passed).toBe(true);
    const [missing] = evaluate({
      history: { includes: [{ role: 'assistant', interrupted: false }] },
    });
    expect(missing?.passed).toBe(false);
    expect(missing?.detail).toContain(
      'user "What is the weather?" | assistant "It is sunny" (interrupted)',
    );
    const [tooShort] = evaluate({ history: [{ role: 'user' }] });
    expect(tooShort?.detail).toMatch(/^expected 1 item\(s\), found 2/);
  });

  it('audio: which speech reached the output and how much of it played', () => {
    const [partial] = evaluate({
      audio: [
        { source: 'reply', played: 'partial', spoken: 'It is sunny', playedMs: { gte: 1000 } },
      ],
    });
    expect(partial?.passed).toBe(true);
    const [full] = evaluate({ audio: [{ played: 'full' }] });
    expect(full?.passed).toBe(false);
    expect(full?.detail).toContain(
      'speech_1 reply "It is sunny in Paris today." played 1200/3000ms (interrupted)',
    );
  });
});

describe('default checks', () => {
  const check = (
    events = bargeInEvents(),
    deadlocks = [] as Parameters<typeof defaultChecks>[1]['deadlocks'],
  ) => defaultChecks(expectationsFrom({}), { events, steps, deadlocks, matchedSeqs: new Set() });

  it('pass on a clean run', () => {
    expect(check().map((r) => [r.description, r.passed])).toEqual([
      ['no deadlock', true],
      ['no unhandled error', true],
      ['no dropped user input', true],
    ]);
  });

  it('report deadlocks with their cycle', () => {
    const [deadlock] = check(bargeInEvents(), [
      {
        source: 'event',
        t: 40,
        cycle: ['tool get_programs', 'speech_3', 'tool get_programs'],
        description: '',
        openWaits: [],
      },
    ]);
    expect(deadlock?.detail).toBe(
      'deadlock at 40ms: tool get_programs → speech_3 → tool get_programs',
    );
  });

  it('report errors unless an expectation asked for them', () => {
    const b = new EventListBuilder();
    b.add('error', 5, {
      code: 'llm_failed',
      message: 'boom',
      source: 'fake.llm',
      recoverable: false,
    });
    expect(check(b.events)[1]?.detail).toBe('5ms fake.llm: llm_failed: boom');
    const ok = defaultChecks(expectationsFrom({}), {
      events: b.events,
      steps: [],
      deadlocks: [],
      matchedSeqs: new Set([0]),
    });
    expect(ok[1]?.passed).toBe(true);
  });

  it('report user input that never became a turn', () => {
    const events = bargeInEvents().filter((e) => e.type !== 'user.turn');
    expect(check(events)[2]?.detail).toBe(
      '"What is the weather?" (step 1, at 100ms) never became a user turn',
    );
  });

  it('needs one turn per input: the same text said twice needs two turns', () => {
    const twice = [
      ...steps,
      stepRecord({ index: 2, startedAt: 4000, endedAt: 4500, input: 'What is the weather?' }),
    ];
    const [, , dropped] = defaultChecks(expectationsFrom({}), {
      events: bargeInEvents(),
      steps: twice,
      deadlocks: [],
      matchedSeqs: new Set(),
    });
    expect(dropped?.detail).toBe(
      '"What is the weather?" (step 3, at 4000ms) never became a user turn',
    );
  });

  it('can be switched off', () => {
    const results = defaultChecks(expectationsFrom({ noDeadlock: false, noDroppedInput: false }), {
      events: [],
      steps,
      deadlocks: [],
      matchedSeqs: new Set(),
    });
    expect(results.map((r) => r.description)).toEqual(['no unhandled error']);
  });
});

describe('pending work at the end of a run', () => {
  it('lists speech, tools and tasks that never finished', () => {
    const events = bargeInEvents().filter((e) => e.type !== 'speech.done');
    const b = new EventListBuilder();
    for (const e of events) b.events.push(e);
    b.add('tool.started', 3100, {
      toolCallId: 'call_1',
      providerCallId: 'call_1',
      name: 'lookup',
      arguments: '{}',
      speechId: 'speech_1',
      agentId: 'agent_1',
    });
    b.add('task.started', 3100, {
      taskId: 'task_1',
      name: 'GetEmail',
      awaitedBy: 'call_1',
      parentAgentId: 'agent_1',
    });
    expect(pendingWork(b.events)).toEqual([
      'speech speech_1 (interrupting)',
      'tool lookup (call_1, speech_1)',
      'task GetEmail (task_1, awaited by call_1)',
    ]);
  });
});
