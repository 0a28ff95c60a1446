import { createHash } from 'node:crypto';
import type { SessionEvent } from '../runtime/events/types.js';

/**
 * The canonical JSONL form of an event stream: one event per line, `seq`, `t`, `type`
 * first and every other key sorted, at every depth. Two runs of one session file give the
 * same bytes (contract C10), so the sha256 of this text identifies a run's behaviour.
 * Stack frames inside strings are dropped: they describe the host, not the session.
 */

const LEADING_KEYS = ['seq', 't', 'type'];

/** A stack frame line of an Error's stack, e.g. "\n    at AgentStack.cancel (/x.ts:3:9)". */
const STACK_FRAME = /\n\s+at [^\n]*/g;

function canonicalValue(value: unknown, leading: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => canonicalValue(v, []));
  if (typeof value === 'string') {
    // Error stacks in events (tool errors) name the caller's files and lines, which depend
    // on where the replay was started from, not on the script: keep only the message.
    return value.replace(STACK_FRAME, '');
  }
  if (value === null || typeof value !== 'object') {
    // -0 and 0 print the same in JSON, but normalise anyway so hashing never depends on it.
    return Object.is(value, -0) ? 0 : value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined);
  const first = leading.filter((k) => keys.includes(k));
  const rest = keys.filter((k) => !leading.includes(k)).sort();
  const out: Record<string, unknown> = {};
  for (const k of [...first, ...rest]) out[k] = canonicalValue(record[k], []);
  return out;
}

/** One event as its canonical JSON line (without the newline). */
export function canonicalEventLine(event: SessionEvent): string {
  return JSON.stringify(canonicalValue(event, LEADING_KEYS));
}

/** The whole stream as canonical JSONL (every line ends with a newline). */
export function eventsToJsonl(events: readonly SessionEvent[]): string {
  let out = '';
  for (const e of events) out += `${canonicalEventLine(e)}\n`;
  return out;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function eventsHash(events: readonly SessionEvent[]): string {
  return sha256(eventsToJsonl(events));
}

/** Any JSON-able value with sorted keys (used for results written one per line). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalValue(value, []));
}
