/**
 * `history.added` says where the item went in `session.history`: items are placed in
 * creation order (a preamble before the call its tool made), not always at the end, so a
 * reader of the event stream alone (replay's `expect.history`) needs the position.
 */
import { expect, it } from 'vitest';
import { Agent, tool } from 'voxagent';
import { z } from 'zod';
import { settle, startHarness } from './harness.js';

it('rebuilding the history from history.added positions gives session.history', async () => {
  const agent = new Agent({
    name: 'Weather',
    instructions: 'x',
    tools: {
      get_weather: tool({
        description: 'weather',
        parameters: z.object({ location: z.string() }),
        execute: async ({ location }) => `The weather in ${location} is sunny today.`,
      }),
    },
  });
  const h = await startHarness(agent, {
    responses: [
      {
        when: { input: 'weather' },
        text: 'Let me check the weather for you.',
        toolCalls: [{ name: 'get_weather', arguments: { location: 'Tokyo' } }],
      },
      { when: { toolResult: 'sunny' }, text: 'It is sunny.' },
    ],
  });
  h.session.sendUserText("What's the weather in Tokyo?");
  await settle(h);
  const rebuilt: string[] = [];
  for (const e of h.of('history.added')) rebuilt.splice(e.position ?? rebuilt.length, 0, e.itemId);
  expect(rebuilt).toEqual(h.session.history.map((item) => item.id));
  // The preamble was created before its tool ran, so it sits before the call.
  const preamble = h.session.history.findIndex(
    (item) => item.type === 'message' && item.role === 'assistant',
  );
  const call = h.session.history.findIndex((item) => item.type === 'function_call');
  expect(preamble).toBeGreaterThanOrEqual(0);
  expect(call).toBeGreaterThan(preamble);
});
