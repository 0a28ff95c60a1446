import { Agent } from 'voxagent';

/**
 * An agent that greets as it enters (a reply asked for in onEnter) and has no tools of its
 * own: the session file gives it its tools (`tools:`), some hidden while it enters.
 */
export default () =>
  new Agent({
    name: 'Greeter',
    instructions: 'You are helpful.',
    onEnter: (agent) => {
      agent.session.generateReply({ instructions: 'say hello to the user' });
    },
  });
