import type { SessionEvent } from '../runtime/events/types.js';
import type { Logger } from './logger.js';

/** What the log file says about a session: problems at their level, everything else at debug. */
export function logSessionEvent(logger: Logger, event: SessionEvent): void {
  if (event.type === 'error') logger.error(`${event.source}: ${event.message}`);
  else if (event.type === 'warning') logger.warn(event.message);
  else if (event.type === 'deadlock') logger.error(`deadlock: ${event.description}`);
  else logger.debug(`${event.type} ${JSON.stringify(event)}`);
}
