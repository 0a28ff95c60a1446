/**
 * Finding (fuzzer): awaiting a reply from `onUserTurnCompleted` deadlocks when that reply
 * calls a tool.
 *
 * The user turn's reply takes the speech queue (the output) and only then awaits the hook
 * (SpeechRun.runStep: `await this.#req.before`). The hook's own generateReply() was queued
 * first and plays its first step, but its tool follow-up step is queued behind the turn's
 * reply, which holds the queue until the hook returns: speech_1 → speech_2 → hook →
 * speech_1. The wait is not rejected when made (C4); the virtual clock's probe reports it
 * only when nothing can move (C10), and in the replay runner the DeadlockError also
 * surfaced as an unhandled rejection.
 * Fuzz signatures: "deadlock event … AN.onUserTurnCompleted", "unhandled rejection:
 * DeadlockError … onUserTurnCompleted".
 */
import { describe, expect, it } from 'vitest';
import { Agent, tool } from '../../../src/index.js';
import { settle, startHarness } from '../../runtime/harness.js';

describe('finding: onUserTurnCompleted awaiting a reply with a tool', () => {
  it('the hook reply runs its tool step, then the turn reply plays', async () => {
    const agent = new Agent({
      name: 'A',
      instructions: 'x',
      tools: { lookup: tool({ description: 'lookup', execute: async () => 'found' }) },
      onUserTurnCompleted: async (a) => {
        await a.session.generateReply();
      },
    });
    const h = await startHarness(agent, {
      responses: [
        { when: { input: 'hello' }, toolCalls: [{ name: 'lookup' }] },
        { when: { toolResult: 'found' }, text: 'Found it.' },
        { text: 'Anything else?' },
      ],
    });
    h.session.sendUserText('hello');
    // Today: "stuck … no timer left and the promise is pending".
    await settle(h, 30_000);
    const said = h.of('speech.done').map((e) => [e.reason, e.spokenText]);
    expect(said).toContainEqual(['completed', 'Found it.']);
    expect(said).toContainEqual(['completed', 'Anything else?']);
  });
});
