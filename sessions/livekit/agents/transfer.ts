import { Agent, tool } from 'voxagent';

/** A front line whose tool hands the caller to billing by returning the billing agent. */
export default () =>
  new Agent({
    name: 'FrontLine',
    instructions: 'You are a helpful assistant.',
    tools: {
      transfer_to_billing: tool({
        description: 'Transfer the user to the billing department',
        execute: async () =>
          new Agent({ name: 'Billing', instructions: 'You are the billing agent.' }),
      }),
    },
  });
