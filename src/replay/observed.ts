import type { EventOf, SessionEvent, SpeechEnd, SpeechSource } from '../runtime/events/types.js';

/** Views of a run derived from its event stream alone (contract C9). */

export interface HistoryEntry {
  kind: EventOf<'history.added'>['kind'];
  role: EventOf<'history.added'>['role'];
  text: string;
  interrupted: boolean;
}

export function historyFromEvents(events: readonly SessionEvent[]): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const e of events) {
    if (e.type !== 'history.added') continue;
    const entry = { kind: e.kind, role: e.role, text: e.text, interrupted: e.interrupted };
    // Items are placed in creation order, not always at the end (events.md).
    const at = e.position !== undefined && e.position <= out.length ? e.position : out.length;
    out.splice(at, 0, entry);
  }
  return out;
}

/**
 * A piece of speech audio that reached the output, in play order: one per step of a
 * handle with audio (a reply with a tool call plays its preamble and its follow-up as two).
 */
export interface AudioPlayRecord {
  speechId: string;
  /** The step of the handle; null when only handle totals are known (events only). */
  step: number | null;
  source: SpeechSource | null;
  startedAt: number;
  playedMs: number;
  totalMs: number;
  /** What this piece says. */
  text: string;
  /** What was heard of the whole handle (speech.done). */
  spokenText: string;
  reason: SpeechEnd | null;
  /** Everything produced was heard (whatever the handle's end reason). */
  complete: boolean;
}

/** Milliseconds of rounding we forgive between "played" and "produced". */
const PLAYED_TOLERANCE_MS = 1;

function isComplete(playedMs: number, totalMs: number): boolean {
  return totalMs > 0 && playedMs >= totalMs - PLAYED_TOLERANCE_MS;
}

/** What one handle's events say about it. */
interface HandleInfo {
  created?: EventOf<'speech.created'>;
  done?: EventOf<'speech.done'>;
  /** Steps in the order they started playing. */
  playingSteps: number[];
  firstPlayAt: number | null;
  stepText: Map<number, string[]>;
}

function handles(events: readonly SessionEvent[]): Map<string, HandleInfo> {
  const out = new Map<string, HandleInfo>();
  const get = (id: string) => {
    let h = out.get(id);
    if (!h) {
      h = { playingSteps: [], firstPlayAt: null, stepText: new Map() };
      out.set(id, h);
    }
    return h;
  };
  for (const e of events) {
    if (e.type === 'speech.created') get(e.speechId).created = e;
    else if (e.type === 'speech.done') get(e.speechId).done = e;
    else if (e.type === 'speech.playing') {
      const h = get(e.speechId);
      if (!h.playingSteps.includes(e.step)) h.playingSteps.push(e.step);
      h.firstPlayAt ??= e.t;
    } else if (e.type === 'speech.segment') {
      const h = get(e.speechId);
      h.stepText.set(e.step, [...(h.stepText.get(e.step) ?? []), e.text]);
    }
  }
  return out;
}

function joinText(pieces: readonly string[] | undefined): string | undefined {
  return pieces?.map((p) => p.trim()).join(' ');
}

/** From events alone: one record per handle that played, with the handle's totals. */
export function audioFromEvents(events: readonly SessionEvent[]): AudioPlayRecord[] {
  const out: AudioPlayRecord[] = [];
  for (const [speechId, h] of handles(events)) {
    if (h.firstPlayAt === null) continue;
    const playedMs = h.done?.playedMs ?? 0;
    const totalMs = h.done?.totalMs ?? 0;
    out.push({
      speechId,
      step: null,
      source: h.created?.source ?? null,
      startedAt: h.firstPlayAt,
      playedMs,
      totalMs,
      text: h.done?.fullText ?? h.created?.text ?? '',
      spokenText: h.done?.spokenText ?? '',
      reason: h.done?.reason ?? null,
      complete: isComplete(playedMs, totalMs),
    });
  }
  return out.sort((a, b) => a.startedAt - b.startedAt);
}

/** What an output recorded: one segment per flushed or cleared piece of audio. */
export interface SinkSegment {
  speechId: string | undefined;
  startedAt: number;
  receivedMs: number;
  playedMs: number | undefined;
}

/** From the output's own record (the truth about what was heard), labelled by the events. */
export function audioFromSink(
  segments: readonly SinkSegment[],
  events: readonly SessionEvent[],
): AudioPlayRecord[] {
  const info = handles(events);
  const seen = new Map<string, number>();
  return segments.map((seg) => {
    const speechId = seg.speechId ?? 'unknown';
    const k = seen.get(speechId) ?? 0;
    seen.set(speechId, k + 1);
    const h = info.get(speechId);
    const step = h?.playingSteps[k] ?? k;
    const playedMs = seg.playedMs ?? seg.receivedMs;
    return {
      speechId,
      step,
      source: h?.created?.source ?? null,
      startedAt: seg.startedAt,
      playedMs,
      totalMs: seg.receivedMs,
      text: joinText(h?.stepText.get(step)) ?? h?.created?.text ?? '',
      spokenText: h?.done?.spokenText ?? '',
      reason: h?.done?.reason ?? null,
      complete: isComplete(playedMs, seg.receivedMs),
    };
  });
}

/** Runtime-owned work that started and never finished: at the end of a run, a deadlock. */
export function pendingWork(events: readonly SessionEvent[]): string[] {
  const speeches = new Map<string, string>();
  const tools = new Map<string, string>();
  const tasks = new Map<string, string>();
  for (const e of events) {
    switch (e.type) {
      case 'speech.created':
        speeches.set(e.speechId, 'created');
        break;
      case 'speech.queued':
      case 'speech.generating':
      case 'speech.playing':
      case 'speech.paused':
      case 'speech.resumed':
      case 'speech.awaiting_tools':
      case 'speech.interrupted':
        if (speeches.has(e.speechId)) speeches.set(e.speechId, e.state);
        break;
      case 'speech.done':
        speeches.delete(e.speechId);
        break;
      case 'tool.started':
        tools.set(e.toolCallId, `${e.name} (${e.toolCallId}, ${e.speechId})`);
        break;
      case 'tool.finished':
        tools.delete(e.toolCallId);
        break;
      case 'task.started':
        tasks.set(e.taskId, `${e.name} (${e.taskId}, awaited by ${e.awaitedBy})`);
        break;
      case 'task.completed':
      case 'task.failed':
      case 'task.cancelled':
        tasks.delete(e.taskId);
        break;
      default:
        break;
    }
  }
  return [
    ...[...speeches].map(([id, state]) => `speech ${id} (${state})`),
    ...[...tools.values()].map((t) => `tool ${t}`),
    ...[...tasks.values()].map((t) => `task ${t}`),
  ];
}

/** Whether the stream says the session is closed (nothing more will happen). */
export function isClosed(events: readonly SessionEvent[]): boolean {
  return events.some((e) => e.type === 'session.closed');
}
