import { Agent, AgentTask, tool } from 'voxagent';

/**
 * Agents and tasks of LiveKit's nested-task scenarios. Each task greets as it enters (a
 * reply with instructions naming it) and completes when the model calls `finish`.
 */
class GreetingTask extends AgentTask<null> {
  constructor(
    name: string,
    greeting: string,
    extra: Record<string, ReturnType<typeof tool>> = {},
    awaitGreeting = false,
  ) {
    super({
      name,
      instructions: `${name} task`,
      tools: {
        finish: tool({
          description: 'Called to complete the task',
          execute: async () => {
            this.complete(null);
            return 'done';
          },
        }),
        ...extra,
      },
      onEnter: async (agent) => {
        const reply = agent.session.generateReply({ instructions: greeting });
        if (awaitGreeting) await reply;
      },
    });
  }
}

/** A task whose tool awaits an inner task, then completes itself. */
class OuterTask extends GreetingTask {
  constructor() {
    super(
      'Outer',
      'outer greeting',
      {
        start_inner: tool({
          description: 'Goes into the inner task',
          execute: async () => {
            await new GreetingTask('Inner', 'inner greeting');
            this.complete(null);
            return 'inner completed';
          },
        }),
      },
      true,
    );
  }
}

/** Root → (tool) Outer → (tool) Inner: nested tasks that each need the user. */
export const nested = () =>
  new Agent({
    name: 'Root',
    instructions: 'root agent',
    tools: {
      start_outer: tool({
        description: 'Goes into the outer task',
        execute: async () => {
          await new OuterTask();
          return 'outer completed';
        },
      }),
    },
  });

/** An agent whose entering reply calls a tool that awaits a task. */
export const enterHandoff = () =>
  new Agent({
    name: 'EnterHandoff',
    instructions: 'root agent',
    tools: {
      start_task: tool({
        description: 'Goes into the simple task',
        execute: async () => {
          await new GreetingTask('Simple', 'simple greeting');
          return 'task completed';
        },
      }),
    },
    onEnter: async (agent) => {
      await agent.session.generateReply({ instructions: 'enter greeting' });
    },
  });

/** Two tools that each await a dialog task: called in parallel, the dialogs run in turn. */
export const parallelDialogs = () => {
  const dialog = (which: string) =>
    tool({
      description: `Collects the ${which}`,
      execute: async () => {
        await new GreetingTask(`${which}Dialog`, 'dialog greeting');
        return `${which} captured`;
      },
    });
  return new Agent({
    name: 'Dialogs',
    instructions: 'root agent',
    tools: { open_name_dialog: dialog('name'), open_email_dialog: dialog('email') },
  });
};
