/**
 * The bundled example (seed 002's scenario): a front desk whose `get_programs` tool plays a
 * filler and awaits a CollectAgeGender task, then answers with the result.
 *
 *   voxagent dev                       # runs this file
 *   voxagent dev examples/front-desk.ts
 */
import { Agent, AgentTask, defineDemo, tool } from 'voxagent';
import { z } from 'zod';
import { frontDeskDemoLLM } from './front-desk-demo.js';

export interface ChildProfile {
  status: 'completed' | 'cancelled';
  age?: number;
  gender?: 'male' | 'female' | 'other';
  reason?: string;
}

export class CollectAgeGender extends AgentTask<ChildProfile> {
  constructor() {
    super({
      name: 'CollectAgeGender',
      instructions:
        'Collect the age and gender of the child being discussed. Ask only for what is missing. ' +
        'Call record_child_profile once both are known; call cancel_task if the user refuses.',
      tools: {
        record_child_profile: tool({
          description: 'Record the child profile once age and gender are known.',
          parameters: z.object({
            age: z.number().int().min(0).max(18),
            gender: z.enum(['male', 'female', 'other']),
          }),
          execute: async ({ age, gender }) => {
            this.complete({ status: 'completed', age, gender });
            return 'Profile recorded.';
          },
        }),
        cancel_task: tool({
          description: 'Cancel when the user does not want to give the details.',
          parameters: z.object({ reason: z.string() }),
          execute: async ({ reason }) => {
            this.complete({ status: 'cancelled', reason });
            return 'Cancelled.';
          },
        }),
      },
    });
  }

  override async onEnter(): Promise<void> {
    this.session.generateReply({ instructions: 'Ask for the missing age and gender.' });
  }
}

export class FrontDesk extends Agent {
  constructor() {
    super({
      name: 'FrontDesk',
      instructions:
        'You are the front desk of a gaming club. Use get_programs when the user asks about programs.',
      tools: {
        get_programs: tool({
          description: 'Find the programs that fit the child the user asks about.',
          execute: async (_args, ctx) => {
            await ctx.waitForPlayout();
            // A filler keeps the line alive while the task starts (it plays first).
            void ctx.session.say('Hmm, I am looking into the details, one second please.');
            const profile = await new CollectAgeGender();
            if (profile.status === 'cancelled') {
              return `Could not collect the profile: ${profile.reason}`;
            }
            const group =
              (profile.age ?? 0) < 10
                ? 'Giants, Hustlers and Avengers'
                : 'Incredibles, Marvels and Star Wars';
            return `Programs for a ${profile.age}-year-old ${profile.gender}: ${group}.`;
          },
        }),
      },
    });
  }
}

/** Every run gets a fresh agent. */
export default () => new FrontDesk();

/** Offline scripted model for `voxagent dev` with no API keys. */
export const demo = defineDemo({ llm: frontDeskDemoLLM });
