/** What a user's own test does: replay a shipped file, or an inline script, via voxagent/testing. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Agent } from 'voxagent';
import { runSessionFile, runSessionScript } from 'voxagent/testing';

describe('voxagent/testing replay API', () => {
  it('replays a session file and passes', async () => {
    const file = fileURLToPath(
      new URL('../../sessions/seed-002-filler-and-task.yaml', import.meta.url),
    );
    const result = await runSessionFile(file);
    expect(result.passed).toBe(true);
    expect(result.deadlocks).toEqual([]);
  });

  it('replays an inline script against an agent built in the test', async () => {
    const result = await runSessionScript(
      {
        agent: 'inline',
        models: { llm: [{ when: { input: 'hi' }, text: 'Hello!' }] },
        user: [{ text: 'hi', at: 0 }],
        expect: {
          events: [{ event: 'speech.done', where: { spokenText: 'Hello!', reason: 'completed' } }],
        },
      },
      { agent: () => new Agent({ name: 'Greeter', instructions: 'greet' }) },
    );
    expect(result.passed).toBe(true);
    expect(result.expectations.every((e) => e.passed)).toBe(true);
  });
});
