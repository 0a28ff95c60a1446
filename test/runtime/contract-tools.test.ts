import { describe, expect, it } from 'vitest';
import { Agent, ToolError, tool } from 'voxagent';
import { z } from 'zod';
import { settle, startHarness } from './harness.js';

const agent = () =>
  new Agent({
    name: 'Tools',
    instructions: 'x',
    tools: {
      book: tool({
        description: 'book a table',
        parameters: z.object({ people: z.number().int().positive(), day: z.string() }),
        execute: async ({ people }) => {
          if (people > 8) throw new ToolError('We only take tables of up to 8 people.');
          return `booked for ${people}`;
        },
      }),
      crash: tool({
        description: 'crashes',
        execute: async () => {
          throw new TypeError('cannot read properties of undefined (secret internals)');
        },
      }),
      again: tool({ description: 'calls itself forever', execute: async () => 'again' }),
    },
  });

/** The tool output the model saw in its follow-up request. */
async function modelSees(
  toolCalls: { name: string; arguments?: Record<string, unknown> | string }[],
) {
  const h = await startHarness(agent(), {
    responses: [
      { when: { input: 'go' }, toolCalls },
      { when: { input: 'next' }, text: 'Still here.' },
    ],
  });
  h.llm.add({ text: 'Handled.', repeat: true });
  h.session.sendUserText('go');
  await settle(h);
  const followUp = h.llm.requests[1]!;
  const last = followUp.messages.at(-1)!;
  return { h, seen: last.role === 'tool' ? last.content : undefined };
}

describe('C7: tools fail safely', () => {
  it('a ToolError gives the model its message', async () => {
    const { h, seen } = await modelSees([{ name: 'book', arguments: { people: 12, day: 'Mon' } }]);
    expect(seen).toBe('We only take tables of up to 8 people.');
    expect(h.of('tool.finished')[0]).toMatchObject({ isError: true, error: null });
  });

  it('any other exception gives the model a generic error and the event stream the full error', async () => {
    const { h, seen } = await modelSees([{ name: 'crash' }]);
    expect(seen).toBe("An internal error occurred while running tool 'crash'.");
    expect(seen).not.toContain('secret internals');
    const finished = h.of('tool.finished')[0]!;
    expect(finished.error).toContain(
      'TypeError: cannot read properties of undefined (secret internals)',
    );
    expect(h.of('error')[0]).toMatchObject({ code: 'tool_failed', source: 'tool.crash' });
  });

  it('an unknown tool is reported to the model by name', async () => {
    const { seen } = await modelSees([{ name: 'fly' }]);
    expect(seen).toBe("Unknown tool 'fly'. Available tools: book, crash, again.");
  });

  it('arguments that fail the schema name the tool and the field', async () => {
    const { seen } = await modelSees([{ name: 'book', arguments: { people: 'two', day: 'Mon' } }]);
    expect(seen).toMatch(/^Invalid arguments for tool 'book': field 'people': /);
    const { seen: notJson } = await modelSees([{ name: 'book', arguments: '{people: 2' }]);
    expect(notJson).toBe("Invalid arguments for tool 'book': not valid JSON.");
  });

  it('tool steps are bounded by maxToolSteps, and the session goes on', async () => {
    const h = await startHarness(agent(), {
      responses: [{ toolCalls: [{ name: 'again' }], repeat: true, when: { agent: 'Tools' } }],
      session: { maxToolSteps: 2 },
    });
    h.session.sendUserText('loop');
    await settle(h);
    // Steps 0 and 1 may call tools; step 2 is offered no tools.
    expect(h.llm.requests.map((r) => [r.tools.length, r.toolChoice])).toEqual([
      [3, 'auto'],
      [3, 'auto'],
      [0, 'none'],
    ]);
    expect(h.of('speech.done')[0]!.reason).toBe('completed');
  });
});
