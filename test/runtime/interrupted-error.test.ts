import { describe, expect, it } from 'vitest';
import { Agent, InterruptedError, tool } from 'voxagent';
import { settle, startHarness } from './harness.js';

describe('InterruptedError', () => {
  it('is one error per interruption: the tool signal and its playout wait get the same one', async () => {
    let reason: unknown;
    let rejected: unknown;
    const agent = new Agent({
      name: 'Repro',
      instructions: 'x',
      tools: {
        slow_tool: tool({
          description: 'slow',
          execute: async (_a, ctx) => {
            try {
              await ctx.waitForPlayout();
            } catch (error) {
              rejected = error;
              reason = ctx.signal.reason;
            }
            return 'done';
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
      ],
      tts: { ttfbMs: 50 },
    });
    h.session.sendUserText('run the slow tool');
    await h.advance(300);
    void h.session.interrupt();
    await settle(h);
    expect(rejected).toBeInstanceOf(InterruptedError);
    expect(rejected).toBe(reason);
    expect((rejected as InterruptedError).speechId).toBe('speech_1');
  });

  it('carries no stack frames (it is control flow) and leaves the stack limit as it was', () => {
    const before = Error.stackTraceLimit;
    const error = new InterruptedError('speech_7');
    expect(error.stack).toBe('InterruptedError: speech_7 was interrupted');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('other').stack).toContain('\n    at ');
  });
});
