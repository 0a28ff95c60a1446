/**
 * Agent state, history order, heard text and handoffs as LiveKit has them (issue 11, items
 * 4–7), black-box on the virtual clock.
 */
import { describe, expect, it } from 'vitest';
import { Agent, AgentTask, type LLMRequest, tool } from 'voxagent';
import { FakeLLM } from 'voxagent/testing';
import { z } from 'zod';
import { type Harness, settle, startHarness } from './harness.js';

const states = (h: Harness) => h.of('agent.state').map((e) => e.state);

const weatherAgent = (delayMs = 0) =>
  new Agent({
    name: 'Weather',
    instructions: 'x',
    tools: {
      get_weather: tool({
        description: 'weather',
        parameters: z.object({ location: z.string() }),
        execute: async ({ location }, ctx) => {
          if (delayMs) await ctx.session.clock.sleep(delayMs);
          return `The weather in ${location} is sunny today.`;
        },
      }),
    },
  });

const weatherScript = [
  {
    when: { input: 'weather' },
    text: 'Let me check the weather for you.',
    toolCalls: [{ name: 'get_weather', arguments: { location: 'Tokyo' } }],
  },
  { when: { toolResult: 'sunny' }, text: 'The weather in Tokyo is sunny today.' },
];

describe('agent state like LiveKit (item 4)', () => {
  it('preamble → tool → reply goes speaking → thinking → speaking, with no listening in between', async () => {
    const h = await startHarness(weatherAgent(1000), { responses: weatherScript });
    h.session.sendUserText("What's the weather in Tokyo?");
    await settle(h);
    expect(states(h)).toEqual([
      'listening',
      'thinking',
      'speaking',
      'thinking',
      'speaking',
      'listening',
    ]);
  });

  it('an interrupt followed at once by a new reply goes speaking → thinking', async () => {
    const h = await startHarness(new Agent({ name: 'A', instructions: 'x' }), {
      responses: [
        { when: { input: 'story' }, text: 'Here is a long story for you, it goes on and on.' },
        { when: { input: 'stop' }, text: 'Ok, I will stop now.', ttftMs: 200 },
      ],
    });
    h.session.sendUserText('Tell me a story.');
    await h.advance(300);
    h.session.sendUserText('stop from text input');
    await settle(h);
    expect(states(h)).toEqual([
      'listening',
      'thinking',
      'speaking',
      'thinking',
      'speaking',
      'listening',
    ]);
  });

  it('listening while a task waits for the user to answer', async () => {
    class Ask extends AgentTask<string> {
      constructor() {
        super({
          name: 'Ask',
          instructions: 'ask',
          onEnter: (a) => {
            a.session.say('How old are you?');
          },
        });
      }
    }
    const a = new Agent({
      name: 'A',
      instructions: 'x',
      tools: { ask: tool({ description: 'ask', execute: async () => `age ${await new Ask()}` }) },
    });
    const h = await startHarness(a, {
      responses: [{ when: { input: 'go' }, toolCalls: [{ name: 'ask' }] }],
    });
    h.session.sendUserText('go');
    await settle(h);
    expect(h.session.agent.name).toBe('Ask');
    expect(states(h).at(-1)).toBe('listening');
  });
});

describe('history in creation order (item 5)', () => {
  it('the next model request sees preamble → call → output, then the reply follows', async () => {
    const h = await startHarness(weatherAgent(), { responses: weatherScript });
    h.session.sendUserText("What's the weather in Tokyo?");
    await settle(h);
    expect(
      h.session.history.map((i) => (i.type === 'message' ? `${i.role}:${i.text}` : i.type)),
    ).toEqual([
      "user:What's the weather in Tokyo?",
      'assistant:Let me check the weather for you.',
      'function_call',
      'function_call_output',
      'assistant:The weather in Tokyo is sunny today.',
    ]);
    const second = h.llm.requests[1] as LLMRequest;
    expect(second.messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'assistant',
      'tool',
    ]);
    expect(second.messages[2]).toMatchObject({ content: 'Let me check the weather for you.' });
  });

  it("a reply asked for inside a tool takes its place when authorised, the tool's output when it returned", async () => {
    const a = new Agent({
      name: 'A',
      instructions: 'x',
      tools: {
        goodbye: tool({
          description: 'bye',
          execute: async (_args, ctx) => {
            await ctx.session.generateReply({ instructions: 'say goodbye' });
            return undefined;
          },
        }),
      },
      onUserTurnCompleted: (agent) => {
        agent.session.say('Said from onUserTurnCompleted.');
      },
    });
    const h = await startHarness(a, {
      // The reply is asked once the hook's say has played: the last message is the agent's.
      responses: [
        { when: { agent: 'A' }, toolCalls: [{ name: 'goodbye' }] },
        { when: { agent: 'A' }, text: 'Goodbye! Have a nice day!' },
      ],
    });
    h.session.sendUserText('bye');
    await settle(h);
    const order = h.session.history.map((i) =>
      i.type === 'message'
        ? `${i.role}:${i.text}`
        : i.type === 'function_call'
          ? `call:${i.name}`
          : i.type,
    );
    // LiveKit's test_generate_reply: say, call, the reply made inside the tool, then the output.
    expect(order).toEqual([
      'user:bye',
      'assistant:Said from onUserTurnCompleted.',
      'call:goodbye',
      'assistant:Goodbye! Have a nice day!',
      'function_call_output',
    ]);
  });
});

describe('an interrupted reply keeps what was heard (item 6)', () => {
  it('short text over long audio: the words heard early are in the history', async () => {
    const h = await startHarness(new Agent({ name: 'A', instructions: 'x' }), {
      responses: [{ when: { input: 'hi' }, text: 'Hello there.' }],
      tts: { audioMs: { 'Hello there.': 10_000 } },
    });
    h.session.sendUserText('hi');
    await h.advance(2000);
    await h.session.interrupt();
    await settle(h);
    const assistant = h.session.history.filter(
      (i) => i.type === 'message' && i.role === 'assistant',
    );
    expect(assistant).toMatchObject([{ text: 'Hello there.', interrupted: true }]);
  });

  it('the reply to the input that interrupted it already sees what was heard', async () => {
    const h = await startHarness(new Agent({ name: 'A', instructions: 'x' }), {
      responses: [
        { when: { input: 'story' }, text: 'Once upon a time there was a fox. It ran far away.' },
        { when: { input: 'stop' }, text: 'Okay.' },
      ],
    });
    h.session.sendUserText('a story please');
    await h.advance(600);
    h.session.sendUserText('stop');
    await settle(h);
    const second = h.llm.requests[1]!;
    expect(second.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(second.messages[2]!.content.startsWith('Once upon')).toBe(true);
  });

  it('any audio heard keeps at least the first word', async () => {
    const h = await startHarness(new Agent({ name: 'A', instructions: 'x' }), {
      responses: [{ when: { input: 'hi' }, text: 'Extraordinarily long first word and more.' }],
    });
    h.session.sendUserText('hi');
    await h.advance(30);
    await h.session.interrupt();
    await settle(h);
    const done = h.of('speech.done')[0]!;
    expect(done.playedMs).toBeGreaterThan(0);
    expect(h.session.history.at(-1)).toMatchObject({
      role: 'assistant',
      text: 'Extraordinarily',
      interrupted: true,
    });
  });
});

describe('a handoff requested by a tool (item 7)', () => {
  const setup = () => {
    const second = new Agent({ name: 'Second', instructions: 'y' });
    const first = new Agent({
      name: 'First',
      instructions: 'x',
      tools: { transfer: tool({ description: 'transfer', execute: async () => second }) },
    });
    return first;
  };
  const script = [
    {
      when: { input: 'transfer' },
      text: 'Transferring you to my colleague now, one moment please.',
      toolCalls: [{ name: 'transfer' }],
    },
  ];

  it('takes effect when the speech that ran the tool completes, not before its preamble plays', async () => {
    const h = await startHarness(setup(), { responses: script });
    h.session.sendUserText('transfer me');
    await h.advance(200);
    expect(h.session.agent.name).toBe('First');
    await settle(h);
    expect(h.session.agent.name).toBe('Second');
    const changed = h.of('agent.changed').find((e) => e.reason === 'handoff')!;
    expect(changed.t).toBeGreaterThanOrEqual(h.of('speech.done')[0]!.t);
    expect(h.of('tool.finished')[0]).toMatchObject({
      output: 'Transferred to Second.',
      isError: false,
    });
  });

  it('an interrupted turn does not switch, and the output records the cancellation as an error', async () => {
    const h = await startHarness(setup(), { responses: script });
    h.session.sendUserText('transfer me');
    await h.advance(200);
    await h.session.interrupt();
    await settle(h);
    expect(h.session.agent.name).toBe('First');
    expect(h.of('agent.changed').filter((e) => e.reason === 'handoff')).toEqual([]);
    expect(h.of('tool.finished')[0]).toMatchObject({ isError: true, interrupted: true });
    const output = h.session.history.find((i) => i.type === 'function_call_output');
    expect(output).toMatchObject({
      isError: true,
      output: expect.stringContaining('did not happen'),
    });
  });

  it('updateAgent() inside a tool waits for the turn too', async () => {
    const second = new Agent({ name: 'Second', instructions: 'y' });
    const first = new Agent({
      name: 'First',
      instructions: 'x',
      tools: {
        transfer: tool({
          description: 'transfer',
          execute: async (_args, ctx) => {
            ctx.session.updateAgent(second);
            return 'transferring';
          },
        }),
      },
    });
    const llm = new FakeLLM({ responses: script });
    const h = await startHarness(first, { session: { llm } });
    h.session.sendUserText('transfer me');
    await h.advance(100);
    expect(h.session.agent.name).toBe('First');
    await settle(h);
    expect(h.session.agent.name).toBe('Second');
  });
});
