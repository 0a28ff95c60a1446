import type { VirtualClock } from '../clock/virtual-clock.js';
import { DeadlockError } from '../core/errors.js';
import type { SessionCore } from './session-core.js';

/**
 * On the virtual clock, "nothing left to run" while work is still in flight means that work
 * can never advance (contract C10). Each distinct cycle is reported once, as a `deadlock`
 * event naming it and the open waits, and whoever waits for idle gets a DeadlockError.
 * Returns the unsubscribe.
 */
export function watchForDeadlocks(
  core: SessionCore,
  clock: VirtualClock,
  running: () => boolean,
): () => void {
  const reported = new Set<string>();
  return clock.onQuiescent(() => {
    if (!running() || core.activity.isIdle()) return;
    const cycle = core.waits.findOpenCycle() ?? core.activity.busyLabels();
    const description = `nothing can advance: ${cycle.join(' → ')}`;
    if (reported.has(description)) return;
    reported.add(description);
    core.bus.emit('deadlock', { cycle, description, openWaits: core.waits.describe() });
    core.activity.failIdleWaiters(new DeadlockError(cycle, description));
  });
}
