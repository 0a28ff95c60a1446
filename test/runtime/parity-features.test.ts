/**
 * LiveKit features voxagent now has (issue 11, items 9–12 and 16), black-box on the
 * virtual clock: preemptive generation, the user-away timer, long-running tools with
 * progress, tool options, per-agent STT/VAD.
 */
import { describe, expect, it } from 'vitest';
import { Agent, type LLMRequest, Toolset, tool } from 'voxagent';
import { FakeUserSpeech } from 'voxagent/testing';
import { type Harness, settle, startHarness } from './harness.js';

const agent = () => new Agent({ name: 'A', instructions: 'x' });

/** LiveKit's test_preemptive_generation: speech 0.5–2.0 s, final at 2.1 s, EOU at 2.5 s. */
async function latency(
  session: Record<string, unknown>,
  agentOptions: Partial<ConstructorParameters<typeof Agent>[0]> = {},
) {
  const h = await startHarness(new Agent({ name: 'A', instructions: 'x', ...agentOptions }), {
    utterances: [{ startMs: 500, endMs: 2000, transcript: 'Hello, how are you?', sttDelayMs: 100 }],
    responses: [
      {
        when: { input: 'how are you' },
        text: "I'm doing great, thank you!",
        ttftMs: 100,
        durationMs: 300,
      },
    ],
    tts: { ttfbMs: 300 },
    session,
  });
  await h.advance(10_000);
  await settle(h);
  const stopped = h.of('user.speech_ended')[0]!.t;
  const speaking = h.of('speech.playing')[0]!.t;
  return { h, latency: speaking - stopped };
}

describe('preemptive generation (item 9)', () => {
  it('with preemptive TTS the reply plays at 0.7 s, LLM only at 0.8 s, off at 1.1 s', async () => {
    expect((await latency({ preemptiveGeneration: { preemptiveTts: true } })).latency).toBe(700);
    expect((await latency({})).latency).toBe(800);
    expect((await latency({ preemptiveGeneration: false })).latency).toBe(1100);
  });

  it('an agent overrides the session setting', async () => {
    expect(
      (
        await latency(
          { preemptiveGeneration: { preemptiveTts: true } },
          { preemptiveGeneration: false },
        )
      ).latency,
    ).toBe(1100);
    expect(
      (
        await latency(
          { preemptiveGeneration: false },
          { preemptiveGeneration: { preemptiveTts: true } },
        )
      ).latency,
    ).toBe(700);
  });

  it('never plays before the end of turn, and is used only once the turn ends as predicted', async () => {
    const { h } = await latency({ preemptiveGeneration: { preemptiveTts: true } });
    const used = h.of('preemptive.used')[0]!;
    const turn = h.of('user.turn')[0]!;
    expect(h.of('preemptive.started')[0]!.t).toBe(2100);
    expect(used.t).toBeGreaterThanOrEqual(turn.t);
    expect(h.of('speech.playing')[0]!.t).toBeGreaterThanOrEqual(turn.t);
    expect(h.llm.requests).toHaveLength(1);
  });

  it('when the user goes on speaking it is discarded, leaves nothing in the history, and the reply answers all the words', async () => {
    const h = await startHarness(agent(), {
      utterances: [
        { startMs: 500, endMs: 2000, transcript: 'Hello,', sttDelayMs: 100 },
        { startMs: 2300, endMs: 3000, transcript: 'how are you?', sttDelayMs: 100 },
      ],
      responses: [
        { when: { input: /^Hello,$/ }, text: 'A reply to the first words only.' },
        { when: { input: 'how are you' }, text: 'Fine, thanks.' },
      ],
    });
    await h.advance(10_000);
    await settle(h);
    expect(h.of('preemptive.discarded').map((e) => e.text)).toContain('Hello,');
    expect(h.of('user.turn').map((e) => e.text)).toEqual(['Hello, how are you?']);
    const said = h.session.history.filter((i) => i.type === 'message' && i.role === 'assistant');
    expect(said.map((i) => (i.type === 'message' ? i.text : ''))).toEqual(['Fine, thanks.']);
    expect(h.of('error')).toEqual([]);
  });

  it('a hook that changes the history discards it (the request would differ)', async () => {
    const a = new Agent({
      name: 'A',
      instructions: 'x',
      onUserTurnCompleted: (self) => {
        self.instructions = 'changed by the hook';
      },
    });
    const h = await startHarness(a, {
      utterances: [{ startMs: 500, endMs: 2000, transcript: 'Hello there', sttDelayMs: 100 }],
      responses: [{ when: { input: 'Hello' }, text: 'Hi.', repeat: true }],
    });
    await h.advance(10_000);
    await settle(h);
    expect(h.of('preemptive.discarded')).toHaveLength(1);
    expect(h.of('preemptive.used')).toEqual([]);
    const last = h.llm.requests.at(-1) as LLMRequest;
    expect(last.messages[0]).toMatchObject({ content: 'changed by the hook' });
  });

  it('never blocks close()', async () => {
    const h = await startHarness(agent(), {
      utterances: [{ startMs: 0, endMs: 500, transcript: 'Hello there', sttDelayMs: 50 }],
      responses: [{ when: { input: 'Hello' }, text: 'Hi.', ttftMs: 60_000 }],
    });
    await h.advance(600);
    expect(h.of('preemptive.started')).toHaveLength(1);
    await h.drive(h.session.close(), 5000);
    expect(h.of('session.closed')).toHaveLength(1);
  });
});

const awayTimes = (h: Harness) =>
  h
    .of('user.state')
    .filter((e) => e.state === 'away')
    .map((e) => e.t);

describe('user away (item 10)', () => {
  it('after the timeout with both sides listening the user is away; activity restarts the window', async () => {
    const h = await startHarness(agent(), {
      responses: [{ text: 'Sure.', repeat: true }],
      session: { userAwayTimeoutMs: 3000 },
    });
    await h.advance(2000);
    h.session.sendUserText('still here');
    await h.advance(10_000);
    const done = h.of('speech.done')[0]!.t;
    expect(awayTimes(h)).toEqual([done + 3000]);
  });

  it('nothing fires after close', async () => {
    const h = await startHarness(agent(), { session: { userAwayTimeoutMs: 3000 } });
    await h.advance(1000);
    await h.drive(h.session.close());
    await h.advance(10_000);
    expect(awayTimes(h)).toEqual([]);
  });
});

describe('long-running tools with progress (item 11)', () => {
  const lookup = (returns: string | undefined) =>
    new Agent({
      name: 'A',
      instructions: 'x',
      tools: {
        lookup_order: tool({
          description: 'slow lookup',
          execute: async (_args, ctx) => {
            ctx.update('looking it up');
            await ctx.session.clock.sleep(20_000);
            return returns;
          },
        }),
      },
    });
  const script = [
    { when: { input: 'order' }, text: 'Let me check.', toolCalls: [{ name: 'lookup_order' }] },
    { when: { toolResult: 'still running' }, text: "I'm looking it up." },
    { when: { toolResult: 'shipped' }, text: 'Order 42 is on the way.' },
  ];

  it('the interim line is spoken at once; the result lands later as a deferred reply; away waits for it', async () => {
    const h = await startHarness(lookup('order 42 shipped'), {
      responses: script,
      session: { userAwayTimeoutMs: 3000 },
    });
    h.session.sendUserText('Look up my order');
    await h.advance(60_000);
    await settle(h);
    const said = h.session.history.flatMap((i) =>
      i.type === 'message' && i.role === 'assistant' ? [i.text] : [],
    );
    expect(said).toEqual(['Let me check.', "I'm looking it up.", 'Order 42 is on the way.']);
    expect(h.of('tool.updated')).toMatchObject([{ message: 'looking it up', background: true }]);
    const returned = h.of('tool.finished')[0]!.t;
    const deferred = h.of('speech.created').find((e) => e.source === 'tool_reply')!;
    expect(deferred.t).toBe(returned);
    // The agent listens while the tool runs, but the user is not "away" before it lands.
    const lastDone = h.of('speech.done').at(-1)!.t;
    expect(awayTimes(h)).toEqual([lastDone + 3000]);
  });

  it('a background tool that returns nothing files no reply, and the away window restarts after it', async () => {
    const h = await startHarness(lookup(undefined), {
      responses: script,
      session: { userAwayTimeoutMs: 3000 },
    });
    h.session.sendUserText('Look up my order');
    await h.advance(60_000);
    await settle(h);
    expect(h.of('speech.created').filter((e) => e.source === 'tool_reply')).toEqual([]);
    const returned = h.of('tool.finished')[0]!.t;
    expect(awayTimes(h)).toEqual([returned + 3000]);
  });
});

const offered = (h: Harness) => h.llm.requests.map((r) => r.tools.map((t) => t.name).sort());

describe('tool options (item 12)', () => {
  it('tools marked ignoreOnEnter are hidden from the onEnter reply and its tool replies only', async () => {
    const billing = new Toolset({
      id: 'billing',
      tools: {
        end_call: tool({ description: 'end', ignoreOnEnter: true, execute: async () => undefined }),
        keep: tool({ description: 'keep', execute: async () => 'kept' }),
      },
    });
    const a = new Agent({
      name: 'A',
      instructions: 'x',
      toolsets: [billing],
      tools: {
        bare_ignored: tool({
          description: 'bare',
          ignoreOnEnter: true,
          execute: async () => undefined,
        }),
      },
      onEnter: (self) => {
        self.session.generateReply({ instructions: 'greet' });
      },
    });
    const h = await startHarness(a, {
      responses: [
        { when: { agent: 'A' }, toolCalls: [{ name: 'keep' }] },
        { when: { toolResult: 'kept' }, text: 'Hello there!' },
        { when: { input: 'hi' }, text: 'How can I help?' },
      ],
    });
    await settle(h);
    h.session.sendUserText('hi there');
    await settle(h);
    expect(offered(h)).toEqual([['keep'], ['keep'], ['bare_ignored', 'end_call', 'keep']]);
  });

  it('toolsets are added and removed as a group', async () => {
    const a = agent();
    const h = await startHarness(a, { responses: [{ text: 'ok', repeat: true }] });
    a.addToolset(
      new Toolset({
        id: 'extra',
        tools: {
          x: tool({ description: 'x', execute: async () => 1 }),
          y: tool({ description: 'y', execute: async () => 2 }),
        },
      }),
    );
    h.session.sendUserText('one');
    await settle(h);
    expect(a.removeToolset('extra')).toBe(true);
    h.session.sendUserText('two');
    await settle(h);
    expect(offered(h)).toEqual([['x', 'y'], []]);
    expect(() => a.addToolset(new Toolset({ id: 'extra', tools: {} }))).not.toThrow();
    expect(() => a.addToolset(new Toolset({ id: 'extra', tools: {} }))).toThrow(
      /already has a toolset "extra"/,
    );
  });
});

describe('per-agent STT and VAD (item 16)', () => {
  it('an agent with its own STT/VAD listens with them while it is active', async () => {
    const own = new FakeUserSpeech([
      { startMs: 1000, endMs: 1500, transcript: 'heard by the agent' },
    ]);
    const a = new Agent({ name: 'A', instructions: 'x', stt: own, vad: own });
    const h = await startHarness(a, {
      responses: [{ text: 'ok', repeat: true }],
      utterances: [{ startMs: 1000, endMs: 1500, transcript: 'heard by the session' }],
    });
    await h.advance(5000);
    await settle(h);
    expect(h.of('user.turn').map((e) => e.text)).toEqual(['heard by the agent']);
  });
});
