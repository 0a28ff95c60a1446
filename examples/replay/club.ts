import { Agent, type RunContext, tool } from 'voxagent';
import { z } from 'zod';
import { AskNumber } from './ask-number.js';

/**
 * Seed 001: a tool waits for its preamble with ctx.waitForPlayout(), starts a filler in
 * the background, waits again, then awaits a task. Nothing may throw a circular-wait error.
 */
export default () =>
  new Agent({
    name: 'Club',
    instructions: 'Answer questions about the club.',
    tools: {
      provide_club_information: tool({
        description: 'Club policies',
        parameters: z.object({ query: z.string() }),
        execute: async ({ query }, ctx: RunContext) => {
          await ctx.waitForPlayout();
          void (async () => {
            await ctx.session.clock.sleep(100);
            await ctx.session.say('Just give me a moment while I look that up!');
          })();
          await ctx.waitForPlayout();
          const refund = await new AskNumber('ClarifyRefund', 'Which refund type?');
          return `${query}: refund type ${refund}`;
        },
      }),
    },
  });
