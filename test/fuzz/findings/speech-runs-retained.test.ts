/**
 * Finding (benchmark B4, soak): every finished speech stays reachable for the life of the
 * session, with its SpeechRun, Segment, Scope, AbortController, the InterruptedError used as
 * the abort reason and (on the real clock) a host Timeout: about 9 KB per turn, growing
 * linearly (3.9 MB per session after 400 turns; heap snapshot: 300 turns → 300 SpeechRun,
 * 300 Segment, 303 Scope, 300 Timeout objects alive after GC).
 *
 * One retention path is certain: each speech's scope is `core.scope.child(id)`, which adds
 * itself to the session scope's children and leaves that set only when it is *closed*;
 * SpeechRun only ever *aborts* it. This growth, and the GC work it causes, is what limits
 * sessions per process (B4: p99 frame lateness ≤ 5 ms holds at 400 sessions, not 500).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Agent } from '../../../src/index.js';
import { settle, startHarness } from '../../runtime/harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('finding: finished speeches are never released', () => {
  it('handles of finished turns can be garbage-collected', async () => {
    const h = await startHarness(new Agent({ name: 'A', instructions: 'x' }), {
      responses: [{ text: 'Sure thing.', repeat: true }],
    });
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 20; i++) {
      refs.push(new WeakRef(h.session.sendUserText(`question ${i}`)));
      await settle(h);
    }
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    // Today: 20 of 20 are alive.
    expect(alive).toBeLessThanOrEqual(2);
  });
});
