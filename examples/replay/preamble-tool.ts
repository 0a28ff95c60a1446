import { Agent, tool } from 'voxagent';

/**
 * Seed 003: a tool that waits for its preamble to finish playing. Input injected while the
 * preamble plays must make that wait fail at once (InterruptedError), not after seconds.
 */
export default () =>
  new Agent({
    name: 'Repro',
    instructions: 'Run the slow tool when asked.',
    tools: {
      slow_tool: tool({
        description: 'Waits for the preamble, then works',
        execute: async (_args, ctx) => {
          await ctx.waitForPlayout();
          return 'done';
        },
      }),
    },
  });
