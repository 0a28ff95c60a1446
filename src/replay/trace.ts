import type { SessionEvent } from '../runtime/events/types.js';
import { latencySpans } from './latency.js';

/**
 * Chrome Trace Event format (the JSON Object form): opens in Perfetto and chrome://tracing.
 * One process (the session) with threads as lanes: the session, the user, the agent's
 * state, the active agent, one lane per speech handle, and as many tool, task and latency
 * lanes as ran at once (a turn's latency is a span with its parts nested inside). Spans are complete events (`ph: X`, `ts`/`dur` in microseconds), moments are
 * thread-scoped instants (`ph: i`), lane names are metadata (`ph: M`).
 */

export interface TraceEvent {
  name: string;
  cat: string;
  ph: 'X' | 'i' | 'M' | 'C';
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  s?: 't' | 'p' | 'g';
  args?: Record<string, unknown>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string | number>;
}

interface Span {
  lane: string;
  /** A span drawn inside another one, on its lane (a part of a turn's latency). */
  parent?: Span;
  name: string;
  cat: string;
  start: number;
  end: number | null;
  args: Record<string, unknown>;
}

interface Instant {
  lane: string;
  name: string;
  cat: string;
  t: number;
  args: Record<string, unknown>;
}

const PID = 1;
const FIXED_LANES = ['session', 'user', 'agent state', 'active agent'];

class TraceBuilder {
  readonly spans: Span[] = [];
  readonly instants: Instant[] = [];
  readonly counters: { name: string; t: number; value: number }[] = [];
  readonly #open = new Map<string, Span>();

  open(key: string, span: Omit<Span, 'end'>): void {
    this.close(key, span.start);
    const s: Span = { ...span, end: null };
    this.spans.push(s);
    this.#open.set(key, s);
  }

  close(key: string, t: number, args: Record<string, unknown> = {}): void {
    const s = this.#open.get(key);
    if (!s) return;
    s.end = t;
    Object.assign(s.args, args);
    this.#open.delete(key);
  }

  instant(
    lane: string,
    name: string,
    cat: string,
    t: number,
    args: Record<string, unknown> = {},
  ): void {
    this.instants.push({ lane, name, cat, t, args });
  }
}

function speechLane(id: string): string {
  return `speech ${id}`;
}

/** Session lifecycle, warnings, errors, deadlocks and metrics: the session lane. */
function addSessionEvent(b: TraceBuilder, e: SessionEvent): boolean {
  switch (e.type) {
    case 'session.started':
      b.open('session', {
        lane: 'session',
        name: 'session',
        cat: 'session',
        start: e.t,
        args: { models: e.models },
      });
      return true;
    case 'session.closing':
      b.instant('session', `closing: ${e.reason}`, 'session', e.t);
      return true;
    case 'session.closed':
      b.close('session', e.t, { reason: e.reason });
      return true;
    case 'warning':
    case 'error':
      b.instant('session', `${e.type}: ${e.code}`, e.type, e.t, { ...e });
      return true;
    case 'deadlock':
      b.instant('session', `deadlock: ${e.cycle.join(' → ')}`, 'deadlock', e.t, { ...e });
      return true;
    case 'metrics.turn':
      b.counters.push({ name: 'e2e latency (ms)', t: e.t, value: e.e2eMs });
      return true;
    default:
      return false;
  }
}

/** The user's speech and turns, the agent's state and which agent is active. */
function addUserAndAgentEvent(b: TraceBuilder, e: SessionEvent): boolean {
  switch (e.type) {
    case 'user.speech_started':
      b.open('user', { lane: 'user', name: 'speaking', cat: 'user', start: e.t, args: {} });
      return true;
    case 'user.speech_ended':
      b.close('user', e.t, { speechMs: e.speechMs });
      return true;
    case 'user.transcript':
      if (e.final) b.instant('user', `transcript: ${e.text}`, 'user', e.t);
      return true;
    case 'user.turn':
      b.instant('user', `turn ${e.turnId}: ${e.text}`, 'user', e.t, {
        source: e.source,
        waited: e.waited,
      });
      return true;
    case 'agent.state':
      b.open('agent.state', {
        lane: 'agent state',
        name: e.state,
        cat: 'agent',
        start: e.t,
        args: {},
      });
      return true;
    case 'agent.changed':
      b.open('agent', {
        lane: 'active agent',
        name: e.agentName,
        cat: 'agent',
        start: e.t,
        args: { agentId: e.agentId, reason: e.reason, stack: e.stack },
      });
      return true;
    default:
      return false;
  }
}

/** A speech handle: one span for its life, nested spans for its states, instants. */
function addSpeechEvent(
  b: TraceBuilder,
  e: SessionEvent,
  speechNames: Map<string, string>,
): boolean {
  switch (e.type) {
    case 'speech.created': {
      const name = `${e.speechId} ${e.source}${e.text ? `: ${e.text}` : ''}`;
      speechNames.set(e.speechId, name);
      b.open(e.speechId, {
        lane: speechLane(e.speechId),
        name,
        cat: 'speech',
        start: e.t,
        args: { ...e },
      });
      return true;
    }
    case 'speech.queued':
    case 'speech.generating':
    case 'speech.playing':
    case 'speech.paused':
    case 'speech.resumed':
    case 'speech.awaiting_tools':
    case 'speech.interrupted': {
      const lane = speechLane(e.speechId);
      b.open(`${e.speechId}/state`, {
        lane,
        name: e.state,
        cat: 'speech.state',
        start: e.t,
        args: { step: e.step },
      });
      if (e.type === 'speech.interrupted') {
        b.instant(lane, `interrupted by ${e.by}`, 'speech', e.t, { force: e.force });
      }
      return true;
    }
    case 'speech.segment':
      b.instant(speechLane(e.speechId), `segment: ${e.text}`, 'speech', e.t, {
        audioMs: e.audioMs,
      });
      return true;
    case 'user.false_interruption':
      b.instant(speechLane(e.speechId), 'false interruption', 'speech', e.t, {
        resumed: e.resumed,
      });
      return true;
    case 'output.cleared':
      b.instant(speechLane(e.speechId), `output cleared (${e.output})`, 'speech', e.t);
      return true;
    case 'speech.done': {
      const { reason, playedMs, totalMs, spokenText, error } = e;
      b.close(`${e.speechId}/state`, e.t);
      b.close(e.speechId, e.t, { reason, playedMs, totalMs, spokenText, error });
      return true;
    }
    default:
      return false;
  }
}

/** Tool calls and tasks, on shared lanes allocated afterwards. */
function addWorkEvent(b: TraceBuilder, e: SessionEvent): boolean {
  switch (e.type) {
    case 'tool.started': {
      const args = { toolCallId: e.toolCallId, arguments: e.arguments, speechId: e.speechId };
      b.open(e.toolCallId, { lane: 'tools', name: e.name, cat: 'tool', start: e.t, args });
      return true;
    }
    case 'tool.finished': {
      const { output, isError, interrupted, error } = e;
      b.close(e.toolCallId, e.t, { output, isError, interrupted, error });
      return true;
    }
    case 'task.started': {
      const args = { taskId: e.taskId, awaitedBy: e.awaitedBy, parentAgentId: e.parentAgentId };
      b.open(e.taskId, { lane: 'tasks', name: e.name, cat: 'task', start: e.t, args });
      return true;
    }
    case 'task.completed':
      b.close(e.taskId, e.t, { result: 'completed' });
      return true;
    case 'task.failed':
      b.close(e.taskId, e.t, { result: 'failed', error: e.error });
      return true;
    case 'task.cancelled':
      b.close(e.taskId, e.t, { result: 'cancelled', reason: e.reason });
      return true;
    default:
      return false;
  }
}

function addEvent(b: TraceBuilder, e: SessionEvent, speechNames: Map<string, string>): void {
  addSessionEvent(b, e) ||
    addUserAndAgentEvent(b, e) ||
    addSpeechEvent(b, e, speechNames) ||
    addWorkEvent(b, e);
}

/**
 * Puts spans of a shared lane kind (tools, tasks) on numbered lanes so that spans on one
 * lane are either disjoint or nested, which is what trace viewers can draw.
 */
function allocateLanes(spans: Span[], kind: string, endMs: number): string[] {
  // Spans come in start order, so on each lane only the spans still open matter: a stack of
  // nested spans, popped as they end. Linear in the spans, however long the session.
  const lanes: { end: number }[][] = [];
  for (const s of spans.filter((x) => x.lane === kind && !x.parent)) {
    const end = s.end ?? endMs;
    const fits = (open: { end: number }[]) => {
      while (open.length > 0 && open.at(-1)!.end <= s.start) open.pop();
      return open.length === 0 || end <= open.at(-1)!.end;
    };
    let index = lanes.findIndex(fits);
    if (index < 0) index = lanes.push([]) - 1;
    lanes[index]!.push({ end });
    s.lane = `${kind} #${index + 1}`;
  }
  for (const s of spans) if (s.parent && s.lane === kind) s.lane = s.parent.lane;
  return lanes.map((_, i) => `${kind} #${i + 1}`);
}

/** Each answered turn's latency: a span for the whole, nested spans for its parts. */
function addLatency(b: TraceBuilder, events: readonly SessionEvent[]): void {
  const made: Span[] = [];
  for (const l of latencySpans(events)) {
    const span: Span = {
      lane: 'latency',
      name: l.name,
      cat: 'latency',
      start: l.start,
      end: l.end,
      args: l.args,
    };
    if (l.parent !== null) span.parent = made[l.parent]!;
    made.push(span);
    b.spans.push(span);
  }
}

const us = (ms: number) => Math.round(ms * 1000);

function metadata(name: string, tid: number, args: Record<string, unknown>): TraceEvent {
  return { name, cat: '__metadata', ph: 'M', ts: 0, pid: PID, tid, args };
}

function timedEvents(
  b: TraceBuilder,
  tid: ReadonlyMap<string, number>,
  endMs: number,
): TraceEvent[] {
  const timed: TraceEvent[] = [];
  for (const s of b.spans) {
    const end = s.end ?? endMs;
    const args = s.end === null ? { ...s.args, unfinished: true } : s.args;
    const dur = Math.max(0, us(end) - us(s.start));
    timed.push({
      name: s.name,
      cat: s.cat,
      ph: 'X',
      ts: us(s.start),
      dur,
      pid: PID,
      tid: tid.get(s.lane) ?? 1,
      args,
    });
  }
  for (const i of b.instants) {
    timed.push({
      name: i.name,
      cat: i.cat,
      ph: 'i',
      s: 't',
      ts: us(i.t),
      pid: PID,
      tid: tid.get(i.lane) ?? 1,
      args: i.args,
    });
  }
  for (const c of b.counters) {
    timed.push({
      name: c.name,
      cat: 'metrics',
      ph: 'C',
      ts: us(c.t),
      pid: PID,
      tid: 1,
      args: { value: c.value },
    });
  }
  // Stable order (sort keeps insertion order for equal ts): the file is deterministic too.
  return timed.sort((a, z) => a.ts - z.ts);
}

export function toChromeTrace(
  events: readonly SessionEvent[],
  meta: { name: string; endMs?: number; eventsHash?: string } = { name: 'session' },
): ChromeTrace {
  const b = new TraceBuilder();
  const speechNames = new Map<string, string>();
  for (const e of events) addEvent(b, e, speechNames);
  addLatency(b, events);
  const endMs = Math.max(meta.endMs ?? 0, events.at(-1)?.t ?? 0);
  const lanes = [
    ...FIXED_LANES,
    ...allocateLanes(b.spans, 'tools', endMs),
    ...allocateLanes(b.spans, 'tasks', endMs),
    ...allocateLanes(b.spans, 'latency', endMs),
    ...[...speechNames.keys()].map(speechLane),
  ];
  const tid = new Map(lanes.map((lane, i) => [lane, i + 1]));
  const head = [metadata('process_name', 0, { name: meta.name })];
  for (const [lane, id] of tid) {
    head.push(
      metadata('thread_name', id, { name: lane }),
      metadata('thread_sort_index', id, { sort_index: id }),
    );
  }
  return {
    traceEvents: [...head, ...timedEvents(b, tid, endMs)],
    displayTimeUnit: 'ms',
    otherData: { name: meta.name, ...(meta.eventsHash ? { eventsHash: meta.eventsHash } : {}) },
  };
}
