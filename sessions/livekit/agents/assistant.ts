import { Agent, type AgentFactoryContext, tool } from 'voxagent';
import { z } from 'zod';

/**
 * The helpful assistant of LiveKit's session scenarios: a weather tool, a goodbye tool that
 * says goodbye and closes the session, and switches (from `options.userData`) for what its
 * hooks do: greet on entering, say a line from onUserTurnCompleted, take time in that hook,
 * and override the session's preemptive generation.
 */
interface AssistantSwitches {
  greetOnEnter?: boolean;
  sayOnTurn?: boolean;
  turnHookDelayMs?: number;
  preemptiveGeneration?: boolean | { enabled?: boolean; preemptiveTts?: boolean };
}

export default ({ userData }: AgentFactoryContext): Agent => {
  const s = (userData ?? {}) as AssistantSwitches;
  return new Agent({
    name: 'Assistant',
    instructions: 'You are a helpful assistant.',
    ...(s.preemptiveGeneration !== undefined
      ? { preemptiveGeneration: s.preemptiveGeneration }
      : {}),
    tools: {
      get_weather: tool({
        description: 'Called when the user asks about the weather',
        parameters: z.object({ location: z.string() }),
        execute: async ({ location }) => `The weather in ${location} is sunny today.`,
      }),
      goodbye: tool({
        description: 'Say goodbye and end the call',
        execute: async (_args, ctx) => {
          await ctx.session.generateReply({ instructions: 'say goodbye to the user' });
          void ctx.session.close('goodbye');
          return undefined;
        },
      }),
    },
    onEnter: (agent) => {
      if (s.greetOnEnter) agent.session.generateReply({ instructions: 'say hello to the user' });
    },
    onUserTurnCompleted: async (agent) => {
      if (s.sayOnTurn) agent.session.say('A line said from the turn hook.');
      if (s.turnHookDelayMs) await agent.session.clock.sleep(s.turnHookDelayMs);
    },
  });
};
