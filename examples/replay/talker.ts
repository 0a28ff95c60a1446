import { Agent } from 'voxagent';

/** An agent with no tools, for turn-taking sessions: barge-in, false interruptions, uninterruptible speech. */
export default () => new Agent({ name: 'Talker', instructions: 'Chat with the user.' });
