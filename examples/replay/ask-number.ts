import { AgentTask, tool } from 'voxagent';
import { z } from 'zod';

/**
 * A task that asks the user for a number and returns it. Its `onEnter` asks at once, so
 * a session file scripts the question as the reply of the agent named `name`.
 */
export class AskNumber extends AgentTask<number> {
  constructor(name: string, question: string) {
    super({
      name,
      instructions: question,
      tools: {
        record: tool({
          description: 'Record the number the user gave',
          parameters: z.object({ value: z.number() }),
          execute: async ({ value }) => {
            this.complete(value);
            return 'recorded';
          },
        }),
      },
      onEnter: (agent) => {
        agent.session.generateReply();
      },
    });
  }
}
