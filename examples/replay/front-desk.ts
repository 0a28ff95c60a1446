import { Agent, tool } from 'voxagent';
import { z } from 'zod';
import { AskNumber } from './ask-number.js';

/**
 * A front desk whose tools await AgentTasks: seed 000 (a task inside a tool), seed 002 (a
 * filler say() in the same tick a task starts), and parallel tool calls that each await a
 * task (they run one after another, in call order).
 */
export default () =>
  new Agent({
    name: 'FrontDesk',
    instructions: 'Help parents find programs for their children.',
    tools: {
      get_programs: tool({
        description: 'Programs for a child; asks for the age first',
        execute: async () =>
          `programs for age ${await new AskNumber('AskAge', 'How old is the child?')}`,
      }),
      get_programs_with_filler: tool({
        description: 'Programs, with a filler while the age is collected',
        execute: async (_args, ctx) => {
          await ctx.waitForPlayout();
          void ctx.session.say('Hmm, I am looking into the details, please wait a second.');
          return `programs for age ${await new AskNumber('CollectAge', 'How old is the child?')}`;
        },
      }),
      ask_age: tool({
        description: 'Ask the age',
        execute: async () => `age ${await new AskNumber('AskAge', 'How old?')}`,
      }),
      ask_size: tool({
        description: 'Ask the shirt size',
        execute: async () => `size ${await new AskNumber('AskSize', 'What size?')}`,
      }),
      search: tool({
        description: 'Search the catalogue',
        parameters: z.object({ query: z.string() }),
        execute: async ({ query }) => `3 results for ${query}`,
      }),
    },
  });
