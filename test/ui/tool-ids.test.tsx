/**
 * The tools panel keys its rows on voxagent's own call ids (`fc_N`). A provider may give two
 * calls the same id (in one reply, or again in a later turn); with rows keyed on that id, one
 * tool's row vanished under the other's name. The events come from a real session whose
 * scripted model repeats its call ids.
 */
import { cleanup, render } from 'ink-testing-library';
import { afterEach, expect, it } from 'vitest';
import { Agent, tool } from 'voxagent';
import { Tools } from '../../src/ui/components/tools.js';
import { initialTools, toolsReducer } from '../../src/ui/state/tools.js';
import { settle, startHarness } from '../runtime/harness.js';
import { fold, plain } from './helpers.js';

afterEach(() => cleanup());

it('two calls with the same provider id are two rows, each with its own name and output', async () => {
  const agent = new Agent({
    name: 'A',
    instructions: 'x',
    tools: {
      weather: tool({ description: 'weather', execute: async () => 'rain' }),
      time: tool({ description: 'time', execute: async () => 'noon' }),
    },
  });
  const h = await startHarness(agent, {
    responses: [
      {
        when: { input: 'both' },
        toolCalls: [
          { name: 'weather', id: 'call_same' },
          { name: 'time', id: 'call_same' },
        ],
      },
      { when: { toolResult: 'noon' }, text: 'Rain at noon.' },
      { when: { input: 'again' }, toolCalls: [{ name: 'weather', id: 'call_same' }] },
      { when: { toolResult: 'rain' }, text: 'Still rain.', repeat: true },
    ],
  });
  h.session.sendUserText('both');
  await settle(h);
  h.session.sendUserText('again');
  await settle(h);

  const started = h.of('tool.started');
  expect(started.map((e) => e.providerCallId)).toEqual(['call_same', 'call_same', 'call_same']);
  expect(new Set(started.map((e) => e.toolCallId)).size).toBe(3);

  const state = fold(toolsReducer, initialTools, h.events);
  expect(state.calls.map((c) => [c.id, c.name, c.output])).toEqual([
    [started[0]!.toolCallId, 'weather', 'rain'],
    [started[1]!.toolCallId, 'time', 'noon'],
    [started[2]!.toolCallId, 'weather', 'rain'],
  ]);
  const frame = plain(render(<Tools calls={state.calls} now={0} maxFinished={5} />).lastFrame());
  expect(frame.match(/✓ weather\(/g)).toHaveLength(2);
  expect(frame.match(/✓ time\(/g)).toHaveLength(1);
});
