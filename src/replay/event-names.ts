import { SESSION_EVENT_NAMES, type SessionEventName } from '../runtime/events/types.js';

/** Every event name of the runtime's event map (the runtime's list is checked complete). */
export const EVENT_NAMES: readonly SessionEventName[] = SESSION_EVENT_NAMES;

const NAMES = new Set<string>(SESSION_EVENT_NAMES);

export function isEventName(name: string): name is SessionEventName {
  return NAMES.has(name);
}
