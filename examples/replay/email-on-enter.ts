import { Agent, AgentTask, tool } from 'voxagent';
import { z } from 'zod';

class GetEmail extends AgentTask<string> {
  constructor() {
    super({
      name: 'GetEmail',
      instructions: 'Ask for the email address.',
      tools: {
        record_email: tool({
          description: 'Record the email address',
          parameters: z.object({ email: z.string() }),
          execute: async ({ email }) => {
            this.complete(email);
            return 'ok';
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
 * Seed 004: `onEnter` awaits generateReply(), whose tool awaits a task that needs the user.
 * onEnter must finish after the task, and nothing may deadlock.
 */
class EmailAgent extends Agent {
  constructor() {
    super({
      name: 'EmailAgent',
      instructions: 'Call collect_email at once.',
      tools: {
        collect_email: tool({
          description: 'Collect the email address',
          execute: async () => `Collected email: ${await new GetEmail()}`,
        }),
      },
    });
  }

  override async onEnter(): Promise<void> {
    await this.session.generateReply();
    this.session.say('Your email is on file.');
  }
}

export default () => new EmailAgent();
