import { describe, expect, it } from 'vitest';
import { Agent, type Tool, tool } from 'voxagent';
import { z } from 'zod';
// zod 4 ships the whole zod 3 implementation under `zod/v3`: these are the same classes a
// zod 3 install exports from 'zod' (no `_zod` internals, `_def` only), so no second copy
// of zod is needed to get a genuine zod 3 schema.
import { z as z3 } from 'zod/v3';
import { UsageError } from '../../src/runtime/core/errors.js';
import { settle, startHarness } from './harness.js';

const FIX = /install zod 4 \(npm install zod@\^4\) and import \{ z \} from 'zod'/;

describe('tool parameters must be zod 4 schemas', () => {
  it('a zod 3 schema is rejected at tool(), naming the tool and the fix', () => {
    const make = () =>
      tool({
        description: 'Record the email address',
        // @ts-expect-error a zod 3 schema is not a zod 4 type either
        parameters: z3.object({ email: z3.string() }),
        execute: async () => 'recorded',
      });
    expect(make).toThrow(UsageError);
    expect(make).toThrow('tool "Record the email address": parameters is a zod 3 schema');
    expect(make).toThrow(FIX);
  });

  it('an agent names the key of a tool whose schema it cannot read', () => {
    // A tool built by hand (or by another copy of voxagent) skips tool()'s check.
    const handMade = {
      kind: 'voxagent.tool',
      description: 'Record the email address',
      parameters: z3.object({ email: z3.string() }),
      execute: async () => 'recorded',
    } as unknown as Tool;
    const make = () =>
      new Agent({ name: 'Desk', instructions: 'x', tools: { record_email: handMade } });
    expect(make).toThrow(UsageError);
    expect(make).toThrow(
      'agent Desk: tools.record_email: parameters is a zod 3 schema, and voxagent reads zod 4',
    );
    expect(make).toThrow(FIX);
  });

  it('an agent names a tools entry that is not a tool at all', () => {
    const notATool = { description: 'x', execute: () => 'y' } as unknown as Tool;
    expect(
      () => new Agent({ name: 'Desk', instructions: 'x', tools: { lookup: notATool } }),
    ).toThrow(
      'agent Desk: tools.lookup is not a tool: build it with tool({ description, parameters, execute })',
    );
  });

  it('zod 4 schemas still work end to end', async () => {
    const agent = new Agent({
      name: 'Desk',
      instructions: 'x',
      tools: {
        record_email: tool({
          description: 'Record the email address',
          parameters: z.object({ email: z.string() }),
          execute: async ({ email }) => `recorded ${email}`,
        }),
        count: tool({
          description: 'Count',
          parameters: z.object({ n: z.number() }),
          execute: async ({ n }) => `counted ${n}`,
        }),
      },
    });
    const h = await startHarness(agent, {
      responses: [
        {
          when: { input: 'go' },
          toolCalls: [
            { name: 'record_email', arguments: { email: 'a@b.c' } },
            { name: 'count', arguments: { n: 3 } },
          ],
        },
        { text: 'Done.', repeat: true },
      ],
    });
    h.session.sendUserText('go');
    await settle(h);
    expect(h.of('error')).toEqual([]);
    expect(h.of('tool.finished').map((e) => e.output)).toEqual(['recorded a@b.c', 'counted 3']);
  });
});
