/**
 * Finding (fuzzer): close() finishes, and emits `session.closed`, while a handle is still
 * `interrupting`; its `speech.done` comes after `session.closed` (after the event stream
 * has ended), or never if nothing advances the clock any more.
 *
 * close() interrupts the live runs and waits for *those* (`#interruptAll(true, 'close')`),
 * but a run already interrupting is skipped by `SpeechRun.interrupt()` (returns false), so
 * close() does not wait for it. With an output that never reports, that handle settles only
 * `playoutSettleMs` after its clear. C8 wants close to flush: every `speech.created` should
 * get its `speech.done` before `session.closed`.
 * Fuzz signature: "speech_N never reached done (last state interrupting)".
 */
import { describe, expect, it } from 'vitest';
import { Agent } from '../../../src/index.js';
import { startHarness } from '../../runtime/harness.js';

describe('finding: close() does not wait for a handle already interrupting', () => {
  it('speech.done of the interrupted handle comes before session.closed', async () => {
    const h = await startHarness(new Agent({ name: 'A', instructions: 'x' }), {
      responses: [{ when: { input: 'hi' }, text: 'A long answer that takes a while to say.' }],
      output: { reporting: false },
    });
    h.session.sendUserText('hi');
    await h.advance(100);
    expect(h.of('speech.playing')).toHaveLength(1);
    void h.session.interrupt();
    await h.advance(10);
    await h.drive(h.session.close(), 10_000);
    const order = h.events
      .filter((e) => e.type === 'speech.done' || e.type === 'session.closed')
      .map((e) => e.type);
    expect(order).toEqual(['speech.done', 'session.closed']);
  });
});
