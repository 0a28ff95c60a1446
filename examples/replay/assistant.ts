import { Agent, AgentTask, ToolError, tool } from 'voxagent';
import { z } from 'zod';
import { AskNumber } from './ask-number.js';

/** A task whose tool awaits another task: nested tasks. */
class Outer extends AgentTask<number> {
  constructor() {
    super({
      name: 'Outer',
      instructions: 'Collect the party size, then the age of the youngest.',
      tools: {
        youngest: tool({
          description: 'Ask for the age of the youngest',
          execute: async () => {
            const age = await new AskNumber('Inner', 'How old is the youngest?');
            this.complete(age);
            return `youngest is ${age}`;
          },
        }),
      },
      onEnter: (agent) => {
        agent.session.generateReply();
      },
    });
  }
}

/**
 * A general assistant for the scenario sessions: tools that throw, nested tasks, and a
 * task the session closes while it waits for the user.
 */
export default () =>
  new Agent({
    name: 'Assistant',
    instructions: 'Help with bookings.',
    tools: {
      check_stock: tool({
        description: 'Stock for an item (fails with a message for the model)',
        parameters: z.object({ item: z.string() }),
        execute: async ({ item }) => {
          throw new ToolError(`no stock data for ${item}`);
        },
      }),
      flaky_lookup: tool({
        description: 'A lookup that crashes',
        execute: async () => {
          throw new Error('database connection reset');
        },
      }),
      plan_party: tool({
        description: 'Plan a party (asks nested questions)',
        execute: async () => `youngest guest ${await new Outer()}`,
      }),
      ask_age: tool({
        description: 'Ask the age',
        execute: async () => `age ${await new AskNumber('AskAge', 'How old?')}`,
      }),
    },
  });
