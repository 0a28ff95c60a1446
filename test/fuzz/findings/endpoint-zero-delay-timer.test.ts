/**
 * Finding (benchmark B1b): a final transcript that arrives after the endpointing delay has
 * already passed still waits for a clock timer before the turn is committed. On the real
 * clock that is a host `setTimeout(0)`, clamped to ≥ 1 ms by Node, so "final transcript →
 * first audio" measures ~1.2 ms median against the 0.5 ms target (B1a, the same path
 * without the timer, measures ~0.1 ms).
 *
 * TurnTaking.#scheduleEndpoint computes `delay = max(0, minEndpointingDelayMs − sinceEnd)`
 * and always arms `clock.timer(delay, …)`, even for 0. Committing at once when the delay is
 * 0 would remove the hop. On the virtual clock the hop shows as one extra timer: the turn
 * is not committed in the tick that delivered the transcript.
 */
import { describe, expect, it } from 'vitest';
import { Agent } from '../../../src/index.js';
import { startHarness } from '../../runtime/harness.js';

describe('finding: a late final transcript still waits for a timer', () => {
  it('the turn is committed in the tick that delivers the final transcript', async () => {
    const h = await startHarness(new Agent({ name: 'A', instructions: 'x' }), {
      // The final comes 600 ms after the end of speech; the endpointing delay is 500 ms.
      utterances: [{ startMs: 0, endMs: 100, transcript: 'hello there', sttDelayMs: 600 }],
      session: { turnDetection: { minEndpointingDelayMs: 500 } },
      responses: [{ text: 'Hi.' }],
    });
    const finalSeen = () => h.of('user.transcript').some((e) => e.final);
    while (!finalSeen()) {
      if (!(await h.clock.runNext())) throw new Error('the final transcript never came');
    }
    expect(h.clock.now()).toBe(700);
    expect(h.of('user.turn').map((e) => e.text)).toEqual(['hello there']);
  });
});
