/**
 * What `close()` does once the session is closing, in order, each step bounded by
 * `closeTimeoutMs` so that close ends from any state (contract C8).
 */
import { SessionClosedError } from '../core/errors.js';
import type { Scope } from '../core/scope.js';
import type { PreemptiveReplies } from './preemptive-replies.js';
import type { SessionCore } from './session-core.js';
import type { SpeechRuns } from './speech-controls.js';

export interface WindDownParts {
  readonly inputScope: Scope;
  /** Stops the session's own timers (user away, agent state). */
  readonly stopTimers: () => void;
  readonly preemptive: PreemptiveReplies;
  readonly runs: SpeechRuns;
}

export async function windDown(core: SessionCore, parts: WindDownParts): Promise<void> {
  // No new user turns from here on: stop listening first.
  void parts.inputScope.close(new SessionClosedError(), core.clock, core.options.closeTimeoutMs);
  parts.stopTimers();
  parts.preemptive.discard('the session closed');
  core.stack.cancelAll('session closed');
  parts.runs.interrupt(true, 'close');
  // Also the speech an earlier interruption left settling: its done comes before closed.
  const runs = parts.runs.all();
  core.queue.close();
  const bound = (p: Promise<unknown>) =>
    Promise.race([
      p.then(
        () => undefined,
        () => undefined,
      ),
      core.clock.sleep(core.options.closeTimeoutMs),
    ]);
  await bound(Promise.all(runs.map((r) => r.handle.waitForPlayout())));
  await bound(core.stack.runHook(core.stack.root, 'onExit'));
  await core.scope.close(new SessionClosedError(), core.clock, core.options.closeTimeoutMs);
}
