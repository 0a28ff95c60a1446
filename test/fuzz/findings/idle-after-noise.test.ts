/**
 * Finding (fuzzer): `session.waitForIdle()` never resolves when the only thing that kept the
 * session busy was user sound that ends without a turn (noise, a cough).
 *
 * The activity tracker counts "the user is speaking" as busy (UserInputPipeline.busy), but
 * it re-checks idleness only when speech, tools, hooks or waits change — not when the user
 * stops speaking. So an idle wait made while the user made noise stays pending forever;
 * `session.run()` and replays (which end on idle) hang until something else happens.
 * Fuzz signature: "the clock went quiet … but waitForIdle() never resolved".
 */
import { describe, expect, it } from 'vitest';
import { Agent } from '../../../src/index.js';
import { startHarness } from '../../runtime/harness.js';

describe('finding: idle is not signalled after user noise', () => {
  it('waitForIdle() made during noise resolves once the noise ends', async () => {
    const h = await startHarness(new Agent({ name: 'A', instructions: 'x' }), {
      utterances: [{ startMs: 0, endMs: 100 }],
    });
    await h.advance(50);
    let idleAt = -1;
    const idle = h.session.waitForIdle().then(() => {
      idleAt = h.clock.now();
    });
    // Throws "stuck … the promise is pending" today: nothing re-checks idleness at 100 ms.
    await h.drive(idle, 10_000);
    expect(idleAt).toBeGreaterThanOrEqual(100);
  });
});
