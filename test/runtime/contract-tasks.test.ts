import { describe, expect, it } from 'vitest';
import { Agent, AgentTask, DeadlockError, TaskCancelledError, tool } from 'voxagent';
import { z } from 'zod';
import { settle, startHarness } from './harness.js';

class AskName extends AgentTask<string> {
  constructor(log?: string[]) {
    super({
      name: 'AskName',
      instructions: 'ask the name',
      tools: {
        record_name: tool({
          description: 'record',
          parameters: z.object({ name: z.string() }),
          execute: async ({ name }) => {
            this.complete(name);
            return 'ok';
          },
        }),
      },
      onEnter: (a) => {
        log?.push('task enter');
        a.session.say('What is your name?');
      },
    });
  }
}

const nameReplies = [
  { when: { input: 'Ada' }, toolCalls: [{ name: 'record_name', arguments: { name: 'Ada' } }] },
];

describe('C3: awaiting an AgentTask works everywhere', () => {
  it('from onEnter: the task becomes the active agent and the await returns its result', async () => {
    const log: string[] = [];
    const agent = new Agent({
      name: 'Host',
      instructions: 'x',
      onEnter: async () => {
        log.push(`got ${await new AskName(log)}`);
      },
    });
    const h = await startHarness(agent, { responses: nameReplies });
    await settle(h);
    expect(h.session.agent.name).toBe('AskName');
    expect(h.of('agent.changed').map((e) => e.stack)).toEqual([['agent_1'], ['agent_1', 'task_1']]);
    h.session.sendUserText('Ada');
    await settle(h);
    expect(log).toEqual(['task enter', 'got Ada']);
    expect(h.session.agent.name).toBe('Host');
    expect(h.of('agent.changed').at(-1)).toMatchObject({
      reason: 'task_returned',
      stack: ['agent_1'],
    });
  });

  it('from onExit during a handoff: the task runs before the new agent enters', async () => {
    const log: string[] = [];
    const next = new Agent({
      name: 'Next',
      instructions: 'y',
      onEnter: () => void log.push('next enter'),
    });
    const first = new Agent({
      name: 'First',
      instructions: 'x',
      onExit: async () => {
        log.push(`exit got ${await new AskName()}`);
      },
    });
    const h = await startHarness(first, { responses: nameReplies });
    h.session.updateAgent(next);
    await settle(h);
    expect(h.session.agent.name).toBe('AskName');
    h.session.sendUserText('Ada');
    await settle(h);
    expect(log).toEqual(['exit got Ada', 'next enter']);
    expect(h.session.agent.name).toBe('Next');
    expect(h.session.history.some((i) => i.type === 'agent_handoff' && i.toAgent === 'Next')).toBe(
      true,
    );
  });

  it('close() while a task waits for the user: the awaiting tool gets TaskCancelledError, close finishes', async () => {
    let caught: unknown;
    const agent = new Agent({
      name: 'Host',
      instructions: 'x',
      tools: {
        ask: tool({
          description: 'ask',
          execute: async () => {
            try {
              return await new AskName();
            } catch (err) {
              caught = err;
              throw err;
            }
          },
        }),
      },
    });
    const h = await startHarness(agent, {
      responses: [{ when: { input: 'hi' }, toolCalls: [{ name: 'ask' }] }],
    });
    h.session.sendUserText('hi');
    await settle(h);
    await h.drive(h.session.close());
    expect(caught).toBeInstanceOf(TaskCancelledError);
    expect(h.of('session.closed')).toHaveLength(1);
    expect(h.of('speech.created').length).toBe(h.of('speech.done').length);
  });

  it('a task that fails rejects the await with its error', async () => {
    let caught: unknown;
    class Fails extends AgentTask<string> {
      constructor() {
        super({
          name: 'Fails',
          instructions: 'x',
          onEnter: (a) => void (a as Fails).complete(new Error('no luck')),
        });
      }
    }
    const agent = new Agent({
      name: 'Host',
      instructions: 'x',
      onEnter: async () => {
        await new Fails().run().catch((e: unknown) => {
          caught = e;
        });
      },
    });
    const h = await startHarness(agent);
    await settle(h);
    expect((caught as Error).message).toBe('no luck');
    expect(h.of('task.failed')[0]).toMatchObject({ name: 'Fails', error: 'no luck' });
  });
});

describe('C4: no circular waits', () => {
  it('session.run() from inside a tool is rejected at once, naming the cycle', async () => {
    let caught: unknown;
    const agent = new Agent({
      name: 'A',
      instructions: 'x',
      tools: {
        get_programs: tool({
          description: 'x',
          execute: async (_a, ctx) => {
            try {
              await ctx.session.run({ userInput: 'nested' });
            } catch (err) {
              caught = err;
            }
            return 'after';
          },
        }),
      },
    });
    const h = await startHarness(agent, {
      responses: [{ when: { input: 'go' }, toolCalls: [{ name: 'get_programs' }] }],
    });
    h.session.sendUserText('go');
    await settle(h);
    expect(caught).toBeInstanceOf(DeadlockError);
    expect((caught as DeadlockError).cycle).toEqual([
      'tool get_programs (fc_1)',
      'session idle',
      'speech_1',
      'tool get_programs (fc_1)',
    ]);
    expect((caught as Error).message).toBe(
      'circular wait: tool get_programs (fc_1) → session idle → speech_1 → tool get_programs (fc_1)',
    );
  });

  it('a task awaiting itself from its own onEnter is rejected with the cycle', async () => {
    let caught: unknown;
    class SelfAwait extends AgentTask<string> {
      constructor() {
        super({
          name: 'SelfAwait',
          instructions: 'x',
          onEnter: async (a) => {
            try {
              await (a as SelfAwait);
            } catch (err) {
              caught = err;
              (a as SelfAwait).complete('done');
            }
          },
        });
      }
    }
    const agent = new Agent({
      name: 'Host',
      instructions: 'x',
      onEnter: async () => void (await new SelfAwait()),
    });
    const h = await startHarness(agent);
    await settle(h);
    expect(caught).toBeInstanceOf(DeadlockError);
    expect((caught as DeadlockError).cycle).toEqual([
      'SelfAwait.onEnter',
      'task SelfAwait (task_1)',
      'SelfAwait.onEnter',
    ]);
    expect(h.of('task.completed')).toHaveLength(1);
  });
});

describe('C8: close always finishes', () => {
  it('finishes in bounded time with a tool that ignores its abort signal, running onExit once', async () => {
    let exits = 0;
    const agent = new Agent({
      name: 'A',
      instructions: 'x',
      onExit: () => {
        exits++;
      },
      tools: { stuck: tool({ description: 'x', execute: () => new Promise<string>(() => {}) }) },
    });
    const h = await startHarness(agent, {
      responses: [
        {
          when: { input: 'go' },
          text: 'Starting a very slow thing now.',
          toolCalls: [{ name: 'stuck' }],
        },
      ],
      session: { closeTimeoutMs: 1000 },
    });
    h.session.sendUserText('go');
    await h.advance(100);
    const started = h.clock.now();
    await h.drive(Promise.all([h.session.close(), h.session.close()]));
    expect(h.clock.now() - started).toBeLessThanOrEqual(1000);
    expect(exits).toBe(1);
    expect(h.of('speech.done').map((d) => d.reason)).toEqual(['interrupted']);
    expect(h.events.at(-1)?.type).toBe('session.closed');
  });

  it('closing before start, and twice, is fine', async () => {
    const h = await startHarness(new Agent({ name: 'A', instructions: 'x' }));
    await h.drive(h.session.close('bye'));
    await h.drive(h.session.close('again'));
    expect(h.of('session.closed')).toEqual([expect.objectContaining({ reason: 'bye' })]);
  });
});

describe('event listeners are not actors', () => {
  it('waitForIdle() called from a listener while a tool runs is not taken for the tool waiting', async () => {
    let fromListener: Promise<void> | undefined;
    const agent = new Agent({
      name: 'A',
      instructions: 'x',
      tools: {
        slow: tool({
          description: 'x',
          execute: async (_a, ctx) => {
            await ctx.session.clock.sleep(300);
            return 'done';
          },
        }),
      },
    });
    const h = await startHarness(agent, {
      responses: [
        { when: { input: 'go' }, toolCalls: [{ name: 'slow' }] },
        { when: { toolResult: 'done' }, text: 'All done.' },
      ],
    });
    h.session.on('tool.started', () => {
      fromListener = h.session.waitForIdle();
    });
    h.session.sendUserText('go');
    await settle(h);
    expect(fromListener).toBeDefined();
    await expect(fromListener).resolves.toBeUndefined();
  });
});

describe('nothing follows session.closed', () => {
  it('a tool that ignores its abort signal and finishes after close() emits nothing', async () => {
    const agent = new Agent({
      name: 'A',
      instructions: 'x',
      tools: {
        stubborn: tool({
          description: 'ignores its signal',
          execute: async (_a, ctx) => {
            await ctx.session.clock.sleep(5000);
            return 'finished late';
          },
        }),
      },
    });
    const h = await startHarness(agent, {
      responses: [{ when: { input: 'go' }, toolCalls: [{ name: 'stubborn' }] }],
      session: { closeTimeoutMs: 500 },
    });
    h.session.sendUserText('go');
    await h.advance(100);
    await h.drive(h.session.close());
    await h.advance(6000);
    expect(h.events.at(-1)?.type).toBe('session.closed');
  });
});
