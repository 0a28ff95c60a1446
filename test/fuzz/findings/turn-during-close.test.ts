/**
 * Finding (fuzzer): a user turn whose endpointing timer fires while the session is closing
 * throws `SessionClosedError` out of a clock timer (an uncaught exception in production).
 *
 * close() keeps the user-input scope alive while it waits for speech and `onExit` (bounded
 * by closeTimeoutMs); the turn-taking endpoint timer still fires in that window and calls
 * commitTurn → #commitUserTurn → #assertOpen, which throws. The exception escapes the
 * timer callback (on the VirtualClock it breaks the pump; on the RealClock it is an
 * uncaughtException that crashes the process by default).
 * Fuzz signature: "uncaught: SessionClosedError: the session is closed".
 */
import { describe, expect, it } from 'vitest';
import { Agent } from '../../../src/index.js';
import { startHarness } from '../../runtime/harness.js';

describe('finding: a turn ending during close() throws from a timer', () => {
  it('close() with a slow onExit while the user finishes a sentence', async () => {
    const agent = new Agent({
      name: 'A',
      instructions: 'x',
      onExit: async (a) => {
        await a.session.clock.sleep(1000);
      },
    });
    const h = await startHarness(agent, {
      utterances: [{ startMs: 0, endMs: 300, transcript: 'hello there', sttDelayMs: 50 }],
      session: { turnDetection: { minEndpointingDelayMs: 100 } },
    });
    await h.advance(200);
    const closing = h.session.close();
    let thrown: unknown;
    try {
      await h.drive(closing, 10_000);
    } catch (err) {
      thrown = err;
    }
    // Today: SessionClosedError thrown by the endpoint timer at 450 ms.
    expect(thrown).toBeUndefined();
    expect(h.of('session.closed')).toHaveLength(1);
  });
});
