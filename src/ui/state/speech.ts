/**
 * Speech queue state: one entry per speech handle, live ones and the last few done ones.
 * Only `speech.*` events change it; what has been heard is derived later from a `now`
 * (see speech-text.ts), so the state does not change while audio merely plays.
 */
import type {
  SessionEvent,
  SpeechEnd,
  SpeechOrigin,
  SpeechSource,
  SpeechState,
} from '../../runtime/events/types.js';
import { clip, updateWhere } from './bounded.js';

export const MAX_DONE_SPEECHES = 20;
/** Handles stuck live forever (a runtime bug) must not grow the list without end either. */
export const MAX_SPEECHES = 100;
const MAX_TEXT = 4000;

export interface SpeechSegment {
  step: number;
  index: number;
  text: string;
  audioMs: number;
}

export type { InterruptCause } from '../../runtime/events/types.js';

import type { InterruptCause } from '../../runtime/events/types.js';

export interface SpeechItem {
  id: string;
  agentId: string;
  source: SpeechSource;
  /** Who asked for it (null until `speech.created` was seen). */
  origin: SpeechOrigin | null;
  allowInterruptions: boolean;
  priority: number;
  originToolCallId: string | null;
  originTaskId: string | null;
  userTurnId: string | null;
  createdAt: number;
  state: SpeechState;
  end: SpeechEnd | null;
  doneAt: number | null;
  /** Position of its `speech.done` in the stream: orders the finished ones. */
  doneSeq: number | null;
  step: number;
  /** Everything the handle means to say so far (say text, or the streamed reply). */
  text: string;
  /** Step whose deltas were appended last: a new step starts a new sentence. */
  textStep: number;
  segments: readonly SpeechSegment[];
  /** Audio heard in closed play spans (pauses, steps). */
  playedMs: number;
  /** Session time the current play span began, or null when not playing. */
  playingSince: number | null;
  interruptedBy: InterruptCause | null;
  forced: boolean;
  /** User noise paused it and it resumed (or not): worth seeing when tuning interruption. */
  falseInterruptions: number;
  awaitingToolCallIds: readonly string[];
  /** From `speech.done`: what was heard. */
  spokenText: string | null;
  error: string | null;
}

export interface SpeechQueueState {
  /** In creation order. */
  items: readonly SpeechItem[];
}

export const initialSpeechQueue: SpeechQueueState = { items: [] };

function newItem(id: string, t: number): SpeechItem {
  return {
    id,
    agentId: '?',
    source: 'reply',
    origin: null,
    allowInterruptions: true,
    priority: 0,
    originToolCallId: null,
    originTaskId: null,
    userTurnId: null,
    createdAt: t,
    state: 'queued',
    end: null,
    doneAt: null,
    doneSeq: null,
    step: 0,
    text: '',
    textStep: 0,
    segments: [],
    playedMs: 0,
    playingSince: null,
    interruptedBy: null,
    forced: false,
    falseInterruptions: 0,
    awaitingToolCallIds: [],
    spokenText: null,
    error: null,
  };
}

/** Closes the current play span, if any, at `t`. */
function stopPlaying(item: SpeechItem, t: number): SpeechItem {
  if (item.playingSince === null) return item;
  return {
    ...item,
    playedMs: item.playedMs + Math.max(0, t - item.playingSince),
    playingSince: null,
  };
}

function appendText(item: SpeechItem, step: number, delta: string): SpeechItem {
  // Steps are separate LLM calls: keep their sentences apart.
  const sep = step !== item.textStep && item.text !== '' && !/\s$/.test(item.text) ? ' ' : '';
  return { ...item, text: clip(item.text + sep + delta, MAX_TEXT), textStep: step };
}

function applyToItem(item: SpeechItem, e: SessionEvent): SpeechItem {
  switch (e.type) {
    case 'speech.created':
      return {
        ...item,
        agentId: e.agentId,
        source: e.source,
        origin: e.origin,
        allowInterruptions: e.allowInterruptions,
        priority: e.priority,
        originToolCallId: e.originToolCallId,
        originTaskId: e.originTaskId,
        userTurnId: e.userTurnId,
        createdAt: e.t,
        text: e.text ?? item.text,
      };
    case 'speech.queued':
    case 'speech.generating':
      return { ...stopPlaying(item, e.t), state: e.state, step: e.step };
    case 'speech.text':
      // A say() announces its whole text at creation; its text event repeats it.
      if (item.source === 'say' && item.text !== '') return item;
      return appendText(item, e.step, e.delta);
    case 'speech.segment':
      return {
        ...item,
        segments: [
          ...item.segments,
          { step: e.step, index: e.textIndex, text: e.text, audioMs: e.audioMs },
        ],
      };
    case 'speech.playing':
    case 'speech.resumed':
      return { ...item, state: 'playing', step: e.step, playingSince: item.playingSince ?? e.t };
    case 'speech.paused': {
      const stopped = stopPlaying(item, e.t);
      // The runtime's count is exact; ours is only a clock estimate (see open question on
      // whether it covers all steps: the larger one never rewinds the cursor).
      return { ...stopped, state: 'paused', playedMs: Math.max(stopped.playedMs, e.playedMs) };
    }
    case 'speech.awaiting_tools':
      return { ...stopPlaying(item, e.t), state: e.state, awaitingToolCallIds: e.toolCallIds };
    case 'user.false_interruption':
      return { ...item, falseInterruptions: item.falseInterruptions + 1 };
    case 'speech.interrupted':
      return { ...item, state: e.state, interruptedBy: e.by, forced: e.force };
    case 'speech.done':
      return {
        ...item,
        state: 'done',
        end: e.reason,
        doneAt: e.t,
        doneSeq: e.seq,
        playingSince: null,
        playedMs: e.playedMs,
        text: e.fullText !== '' ? clip(e.fullText, MAX_TEXT) : item.text,
        spokenText: clip(e.spokenText, MAX_TEXT),
        error: e.error,
        awaitingToolCallIds: [],
      };
    default:
      return item;
  }
}

/**
 * Finished handles, the one that finished last first. Creation order is not finish order: a
 * reply whose tools ran created before its filler finishes after it.
 */
export function finishedNewestFirst(items: readonly SpeechItem[]): SpeechItem[] {
  return items
    .filter((s) => s.state === 'done')
    .sort((a, b) => (b.doneSeq ?? 0) - (a.doneSeq ?? 0));
}

/** Drops the handles that finished longest ago, beyond MAX_DONE_SPEECHES. */
function pruneFinished(items: readonly SpeechItem[]): readonly SpeechItem[] {
  const keep = new Set(finishedNewestFirst(items).slice(0, MAX_DONE_SPEECHES));
  return items.filter((s) => s.state !== 'done' || keep.has(s));
}

function speechIdOf(e: SessionEvent): string | null {
  if (e.type === 'user.false_interruption') return e.speechId;
  return e.type.startsWith('speech.') && 'speechId' in e ? (e.speechId ?? null) : null;
}

export function speechQueueReducer(state: SpeechQueueState, e: SessionEvent): SpeechQueueState {
  const id = speechIdOf(e);
  if (id === null) return state;
  let items = state.items;
  if (!items.some((s) => s.id === id)) {
    // A handle seen mid-stream (the screen attached late) still gets a row.
    items = [...items, newItem(id, e.t)];
  }
  items = updateWhere(
    items,
    (s) => s.id === id,
    (s) => applyToItem(s, e),
  );
  if (e.type === 'speech.done') items = pruneFinished(items);
  if (items.length > MAX_SPEECHES) items = items.slice(items.length - MAX_SPEECHES);
  return { items };
}
