import { Agent, type AgentFactoryContext, tool } from 'voxagent';
import { z } from 'zod';

/**
 * The weather agent of LiveKit's tool-results-on-interruption scenarios. Switches (from
 * `options.userData`): `toolDelayMs`, how long get_weather works; `sayToolOutput`, whether
 * the application says each finished tool's output, uninterruptible, as it finishes (LiveKit's
 * test does this from its `function_tools_executed` listener).
 */
interface WeatherSwitches {
  toolDelayMs?: number;
  sayToolOutput?: boolean;
}

export default ({ userData }: AgentFactoryContext): Agent => {
  const s = (userData ?? {}) as WeatherSwitches;
  return new Agent({
    name: 'Weather',
    instructions: 'You are a helpful assistant.',
    tools: {
      get_weather: tool({
        description: 'Called when the user asks about the weather',
        parameters: z.object({ location: z.string() }),
        execute: async ({ location }, ctx) => {
          if (s.toolDelayMs) await ctx.session.clock.sleep(s.toolDelayMs);
          return `The weather in ${location} is sunny today.`;
        },
      }),
    },
    onEnter: (agent) => {
      if (!s.sayToolOutput) return;
      agent.session.on('tool.finished', (e) => {
        agent.session.say(e.output, { allowInterruptions: false });
      });
    },
  });
};
