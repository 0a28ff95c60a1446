/**
 * Realtime (speech-to-speech) models in the scheduler (issue 12), black-box on the virtual
 * clock with the scripted FakeRealtimeModel: the same promises as with STT + LLM + TTS.
 */
import { describe, expect, it } from 'vitest';
import { Agent, AgentSession, AgentTask, InterruptedError, tool } from 'voxagent';
import {
  FakeAudioOutput,
  FakeRealtimeModel,
  type FakeRealtimeOptions,
  FakeTTS,
  FakeUserSpeech,
  VirtualClock,
} from 'voxagent/testing';
import { z } from 'zod';
import { drive } from './harness.js';

async function realtimeSession(
  agent: Agent,
  model: FakeRealtimeModel,
  extra: { tts?: FakeTTS; user?: FakeUserSpeech; input?: boolean } = {},
) {
  const clock = new VirtualClock({ autoAdvance: false });
  const output = new FakeAudioOutput(clock);
  const session = new AgentSession({
    clock,
    llm: model,
    output,
    ...(extra.tts ? { tts: extra.tts } : {}),
    ...(extra.user ? { vad: extra.user } : {}),
  });
  const events: import('voxagent').SessionEvent[] = [];
  session.onAny((e) => events.push(e));
  await session.start({ agent });
  await clock.advance(0);
  const of = <K extends import('voxagent').SessionEventName>(type: K) =>
    events.filter((e) => e.type === type) as Extract<
      import('voxagent').SessionEvent,
      { type: K }
    >[];
  const settle = () => drive(clock, session.waitForIdle(), 120_000);
  return { clock, session, output, events, of, settle };
}

const model = (options: FakeRealtimeOptions) => new FakeRealtimeModel(options);

describe('a realtime model answers through the speech queue', () => {
  it('its audio plays as a speech handle; its transcript and item id enter the history', async () => {
    const m = model({
      responses: [
        {
          when: { input: 'hello' },
          text: 'Hi there, how can I help?',
          firstAudioMs: 300,
          audioMs: 1500,
        },
      ],
    });
    const s = await realtimeSession(new Agent({ name: 'A', instructions: 'be kind' }), m);
    const handle = s.session.sendUserText('hello');
    await s.settle();
    expect(handle.endReason).toBe('completed');
    expect(s.output.segments[0]).toMatchObject({ receivedMs: 1500 });
    expect(s.of('speech.playing')[0]!.t).toBe(300);
    const reply = s.session.history.at(-1);
    expect(reply).toMatchObject({ role: 'assistant', text: 'Hi there, how can I help?' });
    expect(reply?.type === 'message' && reply.realtimeId).toMatch(/.+/);
    expect(m.requests[0]).toMatchObject({ instructions: 'be kind' });
    expect(s.of('metrics.llm')[0]).toMatchObject({ ttftMs: 300, ttfsMs: null });
  });

  it('say() needs a TTS: a clear error without one, spoken by the TTS with one', async () => {
    const m = model({ responses: [] });
    const without = await realtimeSession(new Agent({ name: 'A', instructions: 'x' }), m);
    expect(() => without.session.say('Hello.')).toThrow(/say\(\) needs a TTS/);
    const withTts = await realtimeSession(new Agent({ name: 'A', instructions: 'x' }), m, {
      tts: new FakeTTS({ msPerChar: 10 }),
    });
    const handle = withTts.session.say('Hello.');
    await withTts.settle();
    expect(handle.endReason).toBe('completed');
    expect(withTts.output.segments[0]).toMatchObject({ receivedMs: 60 });
  });
});

describe('seed 003 with a realtime model: interrupt + injected input during a tool preamble', () => {
  it("the tool's wait rejects in the same instant; the model's copy is cut where the user stopped hearing; the input is answered after only the model's latency", async () => {
    let caught: { error: unknown; at: number } | undefined;
    const agent = new Agent({
      name: 'Repro',
      instructions: 'x',
      tools: {
        slow_tool: tool({
          description: 'slow',
          execute: async (_a, ctx) => {
            try {
              await ctx.waitForPlayout();
              return 'done';
            } catch (error) {
              caught = { error, at: ctx.session.clock.now() };
              throw error;
            }
          },
        }),
      },
    });
    const m = model({
      responses: [
        {
          when: { input: 'slow' },
          text: 'Sure, let me run that for you now, it will take a moment.',
          toolCalls: [{ name: 'slow_tool' }],
          firstAudioMs: 100,
          audioMs: 4000,
        },
        { when: { input: 'never mind' }, text: 'Okay, something else then.', firstAudioMs: 120 },
      ],
    });
    const s = await realtimeSession(agent, m);
    s.session.sendUserText('run the slow tool');
    await s.clock.advance(1100);
    void s.session.interrupt();
    s.session.generateReply({ userInput: 'Actually, never mind, do something else!' });
    const injectedAt = s.clock.now();
    await s.settle();
    expect(caught?.error).toBeInstanceOf(InterruptedError);
    expect(caught?.at).toBe(injectedAt);
    // Cut at the position played: 1 000 ms of audio had been heard.
    expect(m.truncations).toMatchObject([{ audioEndMs: 1000 }]);
    const reply = s.of('speech.playing').find((e) => e.speechId === 'speech_2')!;
    expect(reply.t - injectedAt).toBe(120);
    // The next request's conversation holds what was heard, not what was meant.
    const next = m.requests.at(-1)!;
    const assistant = next.items.find((i) => i.type === 'message' && i.role === 'assistant');
    expect(assistant?.type === 'message' && assistant.text.length).toBeLessThan(
      'Sure, let me run that for you now, it will take a moment.'.length,
    );
    expect(s.of('error')).toEqual([]);
  });
});

describe('seed 004 with a realtime model: onEnter → generateReply → tool → task', () => {
  it('onEnter finishes after the task; the task and the agent each speak with their own instructions and tools', async () => {
    const log: string[] = [];
    class GetEmail extends AgentTask<string> {
      constructor() {
        super({
          name: 'GetEmail',
          instructions: 'ask for the email',
          tools: {
            record_email: tool({
              description: 'record',
              parameters: z.object({ email: z.string() }),
              execute: async ({ email }) => {
                this.complete(email);
                return 'ok';
              },
            }),
          },
          onEnter: (a) => {
            a.session.generateReply();
          },
        });
      }
    }
    const agent = new Agent({
      name: 'Main',
      instructions: 'call collect_email at once',
      tools: {
        collect_email: tool({
          description: 'collect',
          execute: async () => `Collected email: ${await new GetEmail()}`,
        }),
      },
      onEnter: async (a) => {
        await a.session.generateReply();
        log.push('onEnter done');
      },
    });
    const m = model({
      responses: [
        { when: { instructions: 'call collect_email' }, toolCalls: [{ name: 'collect_email' }] },
        { when: { instructions: 'ask for the email' }, text: 'What is your email?' },
        {
          when: { input: 'me@example.com' },
          toolCalls: [{ name: 'record_email', arguments: { email: 'me@example.com' } }],
        },
        { when: { toolResult: 'Collected email' }, text: 'Thanks, I have me@example.com.' },
      ],
    });
    const s = await realtimeSession(agent, m);
    await s.settle();
    expect(log).toEqual([]);
    expect(s.session.agent.name).toBe('GetEmail');
    const result = await drive(s.clock, s.session.run({ userInput: 'me@example.com' }), 120_000);
    expect(log).toEqual(['onEnter done']);
    result.expect.nextEvent().isMessage({ role: 'user', text: 'me@example.com' });
    result.expect.nextEvent().isFunctionCall({ name: 'record_email' });
    result.expect.nextEvent().isFunctionCallOutput({ output: 'ok' });
    result.expect.nextEvent().isFunctionCall({ name: 'collect_email' });
    result.expect.nextEvent().isFunctionCallOutput({ output: 'Collected email: me@example.com' });
    result.expect
      .nextEvent()
      .isMessage({ role: 'assistant', text: 'Thanks, I have me@example.com.' });
    // The task's request had its own instructions and tools; the agent's had its own.
    const task = m.requests.find((r) => r.instructions.includes('ask for the email'))!;
    expect(task.tools.map((t) => t.name)).toEqual(['record_email']);
    expect(m.requests.at(-1)!.tools.map((t) => t.name)).toEqual(['collect_email']);
    expect(s.of('deadlock')).toEqual([]);
  });
});

describe("the user's audio", () => {
  it('local turn detection: speech long enough is a turn, its audio committed as the item the history names; the transcript arrives later', async () => {
    const m = model({
      responses: [{ text: 'Sure.', repeat: true }],
      userTranscription: true,
      userTranscripts: ['book a table'],
    });
    const clock = new VirtualClock({ autoAdvance: false });
    const user = new FakeUserSpeech([{ startMs: 500, endMs: 1500 }]);
    const frames = {
      label: 'fake mic',
      sampleRate: 16000,
      async *frames(signal: AbortSignal) {
        const { silenceFrame } = await import('voxagent');
        while (!signal.aborted && clock.now() < 3000) {
          yield silenceFrame(16000, 20);
          await clock.sleep(20, signal).catch(() => {});
        }
      },
    };
    const session = new AgentSession({
      clock,
      llm: m,
      vad: user,
      input: frames,
      output: new FakeAudioOutput(clock),
    });
    const events: import('voxagent').SessionEvent[] = [];
    session.onAny((e) => events.push(e));
    await session.start({ agent: new Agent({ name: 'A', instructions: 'x' }) });
    await clock.advance(5000);
    await drive(clock, session.waitForIdle(), 60_000);
    const sessionOfModel = m.sessions[0]!;
    expect(sessionOfModel.commits).toHaveLength(1);
    const user1 = session.history.find((i) => i.type === 'message' && i.role === 'user');
    expect(user1).toMatchObject({
      text: 'book a table',
      realtimeId: sessionOfModel.commits[0]!.itemId,
    });
    expect(events.filter((e) => e.type === 'history.updated')).toMatchObject([
      { text: 'book a table' },
    ]);
    expect(m.requests[0]!.items.at(-1)).toMatchObject({
      role: 'user',
      realtimeId: sessionOfModel.commits[0]!.itemId,
    });
  });

  it("server turn detection: the model's speech events interrupt and end turns", async () => {
    const m = model({
      responses: [
        { when: { input: 'story' }, text: 'A very long story that goes on.', audioMs: 10_000 },
        { text: 'Okay.', repeat: true },
      ],
      serverTurnDetection: true,
    });
    const s = await realtimeSession(new Agent({ name: 'A', instructions: 'x' }), m);
    const story = s.session.sendUserText('tell me a story');
    await s.clock.advance(1000);
    const rt = m.sessions[0]!;
    rt.emit({ type: 'speech_started' });
    await s.clock.advance(700);
    expect(story.endReason).toBe('interrupted');
    rt.emit({ type: 'speech_stopped', itemId: 'server_item_1' });
    await s.settle();
    const turns = s.of('user.turn');
    expect(turns).toHaveLength(2);
    const userItem = s.session.history
      .filter((i) => i.type === 'message' && i.role === 'user')
      .at(-1);
    expect(userItem).toMatchObject({ realtimeId: 'server_item_1' });
  });
});
