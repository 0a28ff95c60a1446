import type { SessionEventName } from '../runtime/events/types.js';

/**
 * Every event name of the runtime's event map. `satisfies` makes the compiler fail here
 * when the map gains or loses an event, so session-file validation never drifts from it.
 */
const NAMES = {
  'session.started': true,
  'session.closing': true,
  'session.closed': true,
  'agent.changed': true,
  'agent.state': true,
  'user.state': true,
  'speech.created': true,
  'speech.queued': true,
  'speech.generating': true,
  'speech.text': true,
  'speech.segment': true,
  'speech.playing': true,
  'speech.paused': true,
  'speech.resumed': true,
  'user.false_interruption': true,
  'speech.awaiting_tools': true,
  'speech.interrupted': true,
  'speech.done': true,
  'output.cleared': true,
  'tool.started': true,
  'tool.finished': true,
  'task.started': true,
  'task.completed': true,
  'task.failed': true,
  'task.cancelled': true,
  'user.speech_started': true,
  'user.speech_ended': true,
  'user.transcript': true,
  'user.turn': true,
  'history.added': true,
  'metrics.eou': true,
  'metrics.llm': true,
  'metrics.tts': true,
  'metrics.stt': true,
  'metrics.turn': true,
  warning: true,
  error: true,
  deadlock: true,
} satisfies Record<SessionEventName, true>;

export const EVENT_NAMES: readonly SessionEventName[] = Object.keys(NAMES) as SessionEventName[];

export function isEventName(name: string): name is SessionEventName {
  return Object.hasOwn(NAMES, name);
}
