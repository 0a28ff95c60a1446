import { Agent, tool } from 'voxagent';
import { AskNumber } from './ask-number.js';

const concierge = () =>
  new Agent({
    name: 'Concierge',
    instructions: 'Take over from the booking desk.',
    onEnter: (agent) => {
      agent.session.say('Concierge here, how can I help?');
    },
  });

/**
 * A handoff whose `onExit` awaits a task: the task (a one-question survey) runs, and only
 * then does the next agent enter (contract C3).
 */
export default () => {
  let surveyed = false;
  return new Agent({
    name: 'BookingDesk',
    instructions: 'Hand over to the concierge when asked.',
    tools: {
      hand_over: tool({
        description: 'Hand the conversation to the concierge',
        execute: async (_args, ctx) => {
          ctx.session.updateAgent(concierge());
          return 'handing over';
        },
      }),
    },
    onExit: async (agent) => {
      // Only on the handoff: at session close a task could not get an answer anyway.
      if (surveyed || agent.session.closed) return;
      surveyed = true;
      const score = await new AskNumber('ExitSurvey', 'How would you rate us from 1 to 5?');
      agent.session.say(`Thanks for the ${score}!`);
    },
  });
};
