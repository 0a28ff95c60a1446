/**
 * The five user reports in ../shared/seeds/, replayed with scripted fakes on the virtual
 * clock. Each asserts the behaviour the contract promises instead of the reported failure.
 */

import { describe, expect, it } from 'vitest';
import { Agent, AgentTask, InterruptedError, type RunContext, tool } from 'voxagent';
import { z } from 'zod';
import { AskNumber } from '../../examples/replay/ask-number.js';
import { settle, startHarness } from './harness.js';

const errorsOf = (h: { events: { type: string }[] }) =>
  h.events.filter((e) => e.type === 'error' || e.type === 'deadlock');

describe('seed 000: awaiting an AgentTask inside a tool', () => {
  it('the task asks, the user answers, the tool gets the result and the agent replies with it', async () => {
    const agent = new Agent({
      name: 'FrontDesk',
      instructions: 'front desk',
      tools: {
        get_programs: tool({
          description: 'programs',
          execute: async () => `programs for age ${await new AskNumber('AskAge', 'How old?')}`,
        }),
      },
    });
    const h = await startHarness(agent, {
      responses: [
        {
          when: { input: 'programs' },
          text: 'Let me check.',
          toolCalls: [{ name: 'get_programs' }],
        },
        { when: { agent: 'AskAge' }, text: 'How old is your child?' },
        { when: { input: '8' }, toolCalls: [{ name: 'record', arguments: { value: 8 } }] },
        { when: { toolResult: 'programs for age 8' }, text: 'We have Giants for age 8.' },
      ],
    });
    h.session.sendUserText('which programs?');
    await settle(h);
    expect(h.of('task.started').map((e) => e.name)).toEqual(['AskAge']);
    expect(h.session.agent.name).toBe('AskAge');
    h.session.sendUserText('8');
    await settle(h);
    expect(h.of('task.completed').map((e) => e.name)).toEqual(['AskAge']);
    expect(h.session.agent.name).toBe('FrontDesk');
    const outputs = h.of('tool.finished').map((e) => [e.name, e.output, e.interrupted]);
    expect(outputs).toEqual([
      ['record', 'recorded', false],
      ['get_programs', 'programs for age 8', false],
    ]);
    const last = h.session.history[h.session.history.length - 1];
    expect(last).toMatchObject({
      type: 'message',
      role: 'assistant',
      text: 'We have Giants for age 8.',
    });
    expect(errorsOf(h)).toEqual([]);
  });

  it('works three tasks deep', async () => {
    const level = (name: string, inner: () => AgentTask<number>) =>
      new (class extends AgentTask<number> {
        constructor() {
          super({
            name,
            instructions: name,
            tools: {
              go: tool({
                description: 'go deeper',
                execute: async () => {
                  this.complete((await inner()) + 1);
                  return 'ok';
                },
              }),
            },
            onEnter: (a) => {
              a.session.generateReply();
            },
          });
        }
      })();
    const agent = new Agent({
      name: 'Root',
      instructions: 'root',
      tools: {
        start: tool({
          description: 'start',
          execute: async () =>
            `depth result ${await level('A', () => level('B', () => new AskNumber('C', 'number?')))}`,
        }),
      },
    });
    const h = await startHarness(agent, {
      responses: [
        { when: { input: 'go' }, toolCalls: [{ name: 'start' }] },
        { when: { agent: 'A' }, toolCalls: [{ name: 'go' }] },
        { when: { agent: 'B' }, toolCalls: [{ name: 'go' }] },
        { when: { agent: 'C' }, text: 'Pick a number.' },
        { when: { input: '40' }, toolCalls: [{ name: 'record', arguments: { value: 40 } }] },
        { when: { toolResult: 'depth result 42' }, text: 'The answer is 42.' },
      ],
    });
    h.session.sendUserText('go');
    await settle(h);
    expect(h.of('agent.changed').at(-1)?.stack).toHaveLength(4);
    h.session.sendUserText('40');
    await settle(h);
    expect(h.of('task.completed').map((e) => e.name)).toEqual(['C', 'B', 'A']);
    expect(h.session.history.at(-1)).toMatchObject({
      role: 'assistant',
      text: 'The answer is 42.',
    });
    expect(errorsOf(h)).toEqual([]);
  });

  it('runs tasks from parallel tool calls one after another, in call order', async () => {
    const agent = new Agent({
      name: 'FrontDesk',
      instructions: 'x',
      tools: {
        ask_age: tool({
          description: 'age',
          execute: async () => `age ${await new AskNumber('AskAge', 'age?')}`,
        }),
        ask_size: tool({
          description: 'size',
          execute: async () => `size ${await new AskNumber('AskSize', 'size?')}`,
        }),
      },
    });
    const h = await startHarness(agent, {
      responses: [
        { when: { input: 'profile' }, toolCalls: [{ name: 'ask_age' }, { name: 'ask_size' }] },
        { when: { agent: 'AskAge' }, text: 'How old?' },
        { when: { input: '8' }, toolCalls: [{ name: 'record', arguments: { value: 8 } }] },
        { when: { agent: 'AskSize' }, text: 'What size?' },
        { when: { input: '30' }, toolCalls: [{ name: 'record', arguments: { value: 30 } }] },
        { when: { toolResult: 'size 30' }, text: 'Age 8, size 30: noted.' },
      ],
    });
    h.session.sendUserText('my profile');
    await settle(h);
    expect(h.session.agent.name).toBe('AskAge');
    h.session.sendUserText('8');
    await settle(h);
    expect(h.session.agent.name).toBe('AskSize');
    h.session.sendUserText('30');
    await settle(h);
    expect(h.of('task.started').map((e) => e.name)).toEqual(['AskAge', 'AskSize']);
    expect(
      h
        .of('tool.finished')
        .filter((e) => e.name.startsWith('ask'))
        .map((e) => e.output),
    ).toEqual(['age 8', 'size 30']);
    expect(h.session.history.at(-1)).toMatchObject({ text: 'Age 8, size 30: noted.' });
    expect(errorsOf(h)).toEqual([]);
  });
});

describe('seed 001: waitForPlayout around a background filler', () => {
  it('two ctx.waitForPlayout() calls around a filler, then a task: no error, the filler plays', async () => {
    const agent = new Agent({
      name: 'Club',
      instructions: 'club',
      tools: {
        provide_club_information: tool({
          description: 'club info',
          parameters: z.object({ query: z.string() }),
          execute: async ({ query }, ctx: RunContext) => {
            await ctx.waitForPlayout();
            void (async () => {
              await ctx.session.clock.sleep(100);
              await ctx.session.say('Just give me a moment while I look that up!');
            })();
            await ctx.waitForPlayout();
            const refund = await new AskNumber('ClarifyRefund', 'which refund?');
            return `${query}: refund type ${refund}`;
          },
        }),
      },
    });
    const h = await startHarness(agent, {
      responses: [
        {
          when: { input: 'refund' },
          text: 'Sure, one second.',
          toolCalls: [{ name: 'provide_club_information', arguments: { query: 'refund policy' } }],
        },
        { when: { agent: 'ClarifyRefund' }, text: 'Which refund type, 1 or 2?' },
        { when: { input: '2' }, toolCalls: [{ name: 'record', arguments: { value: 2 } }] },
        { when: { toolResult: 'refund type 2' }, text: 'Refund type 2 takes a week.' },
      ],
    });
    h.session.sendUserText('about my refund');
    await settle(h);
    h.session.sendUserText('2');
    await settle(h);
    const filler = h.of('speech.created').find((e) => e.text?.startsWith('Just give me'))!;
    const fillerAudio = h.output.segmentsOf(filler.speechId);
    expect(fillerAudio).toHaveLength(1);
    expect(fillerAudio[0]).toMatchObject({ interrupted: false, nonSilent: true });
    expect(h.session.history.at(-1)).toMatchObject({ text: 'Refund type 2 takes a week.' });
    expect(errorsOf(h)).toEqual([]);
  });

  it('handle.waitForPlayout() on its own handle inside the tool resolves right after the preamble', async () => {
    let resolvedAt = -1;
    const agent = new Agent({
      name: 'Self',
      instructions: 'x',
      tools: {
        wait_self: tool({
          description: 'waits',
          execute: async (_args, ctx) => {
            await ctx.speechHandle.waitForPlayout();
            await ctx.speechHandle;
            resolvedAt = ctx.session.clock.now();
            return 'waited';
          },
        }),
      },
    });
    const h = await startHarness(agent, {
      responses: [
        {
          when: { input: 'go' },
          text: 'Here is the preamble.',
          toolCalls: [{ name: 'wait_self' }],
        },
        { when: { toolResult: 'waited' }, text: 'Done.' },
      ],
    });
    h.session.sendUserText('go');
    await settle(h);
    const preamble = h.output.segments[0]!;
    expect(resolvedAt).toBe(preamble.endedAt);
    expect(errorsOf(h)).toEqual([]);
    expect(h.session.history.at(-1)).toMatchObject({ text: 'Done.' });
  });
});

describe('seed 002: a filler say() and a task start in the same tick', () => {
  it('the sink gets the filler, then the task speech; no error; close() finishes', async () => {
    const agent = new Agent({
      name: 'FrontDesk',
      instructions: 'x',
      tools: {
        get_programs: tool({
          description: 'programs',
          execute: async (_a, ctx) => {
            await ctx.waitForPlayout();
            void ctx.session.say('Hmm, I am looking into the details, please wait a second.');
            const age = await new AskNumber('CollectAgeGender', 'age and gender?');
            return `programs for ${age}`;
          },
        }),
      },
    });
    const h = await startHarness(agent, {
      responses: [
        {
          when: { input: 'programs' },
          text: 'Let me look.',
          toolCalls: [{ name: 'get_programs' }],
        },
        { when: { agent: 'CollectAgeGender' }, text: 'How old is the child?' },
      ],
    });
    h.session.sendUserText('programs please');
    await settle(h);
    const order = h.output.segments.map((s) => s.speechId);
    const created = h.of('speech.created');
    const filler = created.find((e) => e.source === 'say')!.speechId;
    const taskSpeech = created.find((e) => e.agentId.startsWith('task'))!.speechId;
    expect(order).toEqual(['speech_1', filler, taskSpeech]);
    expect(h.output.segments.every((s) => !s.interrupted && s.nonSilent)).toBe(true);
    expect(errorsOf(h)).toEqual([]);
    await h.drive(h.session.close());
    expect(h.of('session.closed')).toHaveLength(1);
    expect(h.of('task.cancelled').map((e) => e.name)).toEqual(['CollectAgeGender']);
  });
});

describe('seed 003: input injected during a tool preamble', () => {
  for (const reporting of [true, false]) {
    it(`rejects ctx.waitForPlayout() with InterruptedError ${reporting ? 'at once' : 'within the bound'} and answers the new input (${reporting ? 'reporting' : 'never-reporting'} sink)`, async () => {
      let caught: { error: unknown; at: number } | undefined;
      let signalAborted = false;
      let signalReason: unknown;
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
                signalAborted = ctx.signal.aborted;
                signalReason = ctx.signal.reason;
                throw error;
              }
            },
          }),
        },
      });
      const h = await startHarness(agent, {
        responses: [
          {
            when: { input: 'slow' },
            text: 'Sure, let me run that for you now, it will take a moment.',
            toolCalls: [{ name: 'slow_tool' }],
            ttftMs: 100,
          },
          { when: { input: 'never mind' }, text: 'Okay, something else then.', ttftMs: 100 },
        ],
        tts: { ttfbMs: 50 },
        output: { reporting },
      });
      h.session.sendUserText('run the slow tool');
      await h.advance(300);
      expect(h.of('speech.playing').map((e) => e.speechId)).toEqual(['speech_1']);
      void h.session.interrupt({ force: true });
      h.session.generateReply({ userInput: 'Actually, never mind, do something else!' });
      const injectedAt = h.clock.now();
      await settle(h);
      const bound = reporting ? 0 : 250;
      expect(caught?.error).toBeInstanceOf(InterruptedError);
      expect(caught?.at).toBe(injectedAt + bound);
      expect(signalAborted).toBe(true);
      // One interruption, one error: the tool's signal aborted with what its wait rejects with.
      expect(caught?.error).toBe(signalReason);
      expect(caught?.error).toMatchObject({ speechId: 'speech_1' });
      expect(h.of('tool.finished')[0]).toMatchObject({ name: 'slow_tool', interrupted: true });
      const reply = h.of('speech.playing').find((e) => e.speechId === 'speech_2')!;
      expect(reply.t - injectedAt).toBe(100 + 50);
      expect(h.of('user.turn').map((e) => e.text)).toEqual([
        'run the slow tool',
        'Actually, never mind, do something else!',
      ]);
      expect(h.session.history.at(-1)).toMatchObject({ text: 'Okay, something else then.' });
      if (!reporting) expect(h.of('warning').map((e) => e.code)).toContain('output_never_reports');
    });
  }
});

describe('seed 004: onEnter → generateReply → tool → task', () => {
  it('onEnter finishes after the task, and run() returns every event up to idle', async () => {
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
          onExit: () => {
            log.push('task exit');
          },
        });
      }
    }
    class DeadlockRepro extends Agent {
      constructor() {
        super({
          instructions: 'call collect_email at once',
          tools: {
            collect_email: tool({
              description: 'collect',
              execute: async () => `Collected email: ${await new GetEmail()}`,
            }),
          },
        });
      }
      override async onEnter() {
        await this.session.generateReply();
        log.push('onEnter done');
      }
    }
    const h = await startHarness(new DeadlockRepro(), {
      responses: [
        { when: { agent: 'DeadlockRepro' }, toolCalls: [{ name: 'collect_email' }] },
        { when: { agent: 'GetEmail' }, text: 'What is your email?' },
        {
          when: { input: 'me@example.com' },
          toolCalls: [{ name: 'record_email', arguments: { email: 'me@example.com' } }],
        },
        { when: { toolResult: 'Collected email' }, text: 'Thanks, I have me@example.com.' },
      ],
    });
    await settle(h);
    expect(log).toEqual([]);
    const result = await h.drive(h.session.run({ userInput: 'me@example.com' }));
    expect(log).toEqual(['task exit', 'onEnter done']);
    result.expect.nextEvent().isMessage({ role: 'user', text: 'me@example.com' });
    result.expect.nextEvent().isFunctionCall({ name: 'record_email' });
    result.expect.nextEvent().isFunctionCallOutput({ output: 'ok' });
    result.expect.nextEvent().isFunctionCall({ name: 'collect_email' });
    result.expect.nextEvent().isFunctionCallOutput({ output: 'Collected email: me@example.com' });
    result.expect
      .nextEvent()
      .isMessage({ role: 'assistant', text: 'Thanks, I have me@example.com.' });
    result.expect.noMoreEvents();
    expect(result.sessionEvents.at(-1)?.type).not.toBe('deadlock');
    expect(errorsOf(h)).toEqual([]);
  });
});
