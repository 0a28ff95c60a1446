import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  Agent,
  AgentSession,
  AgentTask,
  DeadlockError,
  type LLM,
  SESSION_EVENT_NAMES,
  type SessionEvent,
  tool,
} from 'voxagent';
import { FakeAudioOutput, FakeLLM, FakeTTS, FakeUserSpeech, VirtualClock } from 'voxagent/testing';
import { z } from 'zod';

/** A scripted conversation with a tool, a task, a filler, barge-in and typed input. */
async function scriptedRun(): Promise<SessionEvent[]> {
  const clock = new VirtualClock();
  class AskDay extends AgentTask<string> {
    constructor() {
      super({
        name: 'AskDay',
        instructions: 'ask the day',
        tools: {
          record_day: tool({
            description: 'record',
            parameters: z.object({ day: z.string() }),
            execute: async ({ day }) => {
              this.complete(day);
              return 'ok';
            },
          }),
        },
        onEnter: (a) => void a.session.generateReply(),
      });
    }
  }
  const agent = new Agent({
    name: 'Booker',
    instructions: 'book',
    tools: {
      book: tool({
        description: 'book',
        execute: async (_a, ctx) => {
          await ctx.waitForPlayout();
          void ctx.session.say('One moment please.');
          return `booked on ${await new AskDay()}`;
        },
      }),
    },
  });
  const user = new FakeUserSpeech([
    { startMs: 0, endMs: 800, transcript: 'book a table' },
    { startMs: 5000, endMs: 5600, transcript: 'Friday' },
    { startMs: 9000, endMs: 9300 },
  ]);
  const session = new AgentSession({
    clock,
    stt: user,
    vad: user,
    tts: new FakeTTS({ ttfbMs: 40 }),
    output: new FakeAudioOutput(clock),
    llm: new FakeLLM({
      responses: [
        {
          when: { input: 'book' },
          text: 'Sure, let me book that.',
          toolCalls: [{ name: 'book' }],
          ttftMs: 120,
        },
        { when: { agent: 'AskDay' }, text: 'Which day would you like?', ttftMs: 90 },
        {
          when: { input: 'Friday' },
          toolCalls: [{ name: 'record_day', arguments: { day: 'Friday' } }],
          ttftMs: 80,
        },
        {
          when: { toolResult: 'booked on Friday' },
          text: 'You are booked on Friday. Anything else?',
          ttftMs: 100,
        },
        { when: { input: 'thanks' }, text: 'You are welcome.', ttftMs: 50 },
      ],
    }),
  });
  const events: SessionEvent[] = [];
  session.onAny((e) => events.push(e));
  await session.start({ agent });
  await clock.sleep(9500);
  await session.waitForIdle();
  await session.run({ userInput: 'thanks' });
  await session.close();
  return events;
}

describe('C9: everything is observable', () => {
  it('every event has a clock time and a sequence number, in order', async () => {
    const events = await scriptedRun();
    expect(events.length).toBeGreaterThan(50);
    events.forEach((e, i) => {
      expect(e.seq).toBe(events[0]!.seq + i);
      if (i > 0) expect(e.t).toBeGreaterThanOrEqual(events[i - 1]!.t);
    });
    const types = new Set(events.map((e) => e.type));
    for (const type of [
      'speech.created',
      'speech.done',
      'tool.started',
      'task.completed',
      'user.turn',
      'metrics.llm',
      'metrics.tts',
      'metrics.eou',
      'metrics.turn',
      'agent.changed',
      'agent.state',
      'user.state',
    ]) {
      expect(types, type).toContain(type);
    }
  });

  it('docs/events.md documents every event the runtime can emit', () => {
    const doc = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
    const documented = new Set([...doc.matchAll(/^### (\S+)$/gm)].map((m) => m[1]));
    expect([...SESSION_EVENT_NAMES].filter((n) => !documented.has(n))).toEqual([]);
    expect(
      [...documented].filter((n) => !(SESSION_EVENT_NAMES as readonly string[]).includes(n!)),
    ).toEqual([]);
  });
});

describe('C10: time is injected, runs are deterministic', () => {
  it('the same script gives the same event stream, byte for byte', async () => {
    const first = JSON.stringify(await scriptedRun());
    const second = JSON.stringify(await scriptedRun());
    expect(second).toBe(first);
  });

  it('work that can never advance is reported as a deadlock instead of hanging', async () => {
    const clock = new VirtualClock();
    // A model that never answers and has no timeout: nothing on the clock can move it.
    const silent: LLM = {
      label: 'silent',
      chat: () => ({ [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => {}) }) }),
    };
    const session = new AgentSession({ clock, llm: silent, tts: new FakeTTS() });
    const deadlocks: SessionEvent[] = [];
    session.on('deadlock', (e) => deadlocks.push(e));
    await session.start({ agent: new Agent({ name: 'A', instructions: 'x' }) });
    const run = session.run({ userInput: 'hello' });
    await expect(run).rejects.toBeInstanceOf(DeadlockError);
    expect(deadlocks).toHaveLength(1);
    expect(deadlocks[0]).toMatchObject({
      cycle: ['speech_1'],
      description: 'nothing can advance: speech_1',
    });
    await session.close();
  });
});
