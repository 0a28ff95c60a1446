import type { SessionEvent } from '../runtime/events/types.js';
import { describeMatcher, fieldValue, matches } from './matchers.js';
import { type AudioPlayRecord, type HistoryEntry, historyFromEvents } from './observed.js';
import {
  type AudioItem,
  type HistoryItem,
  type ListExpectation,
  listItemPath,
} from './schema-expect.js';
import type { ExpectationResult } from './types.js';

/** The list expectations: `history` (with judged items) and `audio`. Pure, like the rest. */

/** A judged history item and the message it matched (null: none, so nothing to judge). */
export interface PendingJudgement {
  intent: string;
  path: string;
  message: HistoryEntry | null;
  context: readonly HistoryEntry[];
}

/**
 * The history expectation, and for each item with a `judge` the message it matched (the
 * judge runs later, asynchronously). An item not matched is not judged: the list fails.
 */
export function evaluateHistory(
  spec: ListExpectation<HistoryItem>,
  events: readonly SessionEvent[],
): { result: ExpectationResult; judge: PendingJudgement[] } {
  const history = historyFromEvents(events);
  const fits = (item: HistoryItem, h: (typeof history)[number]) =>
    (item.kind === undefined || item.kind === h.kind) &&
    (item.role === undefined || item.role === h.role) &&
    (item.text === undefined || matches(item.text, h.text)) &&
    (item.interrupted === undefined || item.interrupted === h.interrupted);
  const describeItem = (item: HistoryItem) =>
    [
      item.role ?? '*',
      item.text ? describeMatcher(item.text) : '*',
      item.interrupted ? '(interrupted)' : '',
    ]
      .join(' ')
      .trim();
  const actual = history.map(
    (h) => `${h.role} ${JSON.stringify(h.text)}${h.interrupted ? ' (interrupted)' : ''}`,
  );
  const { result, positions } = listResult('history', spec, history, fits, describeItem, actual);
  const judge: PendingJudgement[] = [];
  spec.items.forEach((item, i) => {
    if (!item.judge) return;
    const at = positions[i] ?? -1;
    judge.push({
      intent: item.judge.intent,
      path: `${listItemPath('expect.history', spec, i)}.judge`,
      message: at >= 0 ? history[at]! : null,
      context: at >= 0 ? history.slice(0, at + 1) : [],
    });
  });
  return { result, judge };
}

export function evaluateAudio(
  spec: ListExpectation<AudioItem>,
  audio: readonly AudioPlayRecord[],
  matched: ReadonlyMap<string, SessionEvent>,
): ExpectationResult {
  const fits = (item: AudioItem, a: AudioPlayRecord) => {
    if (
      item.speech !== undefined &&
      fieldValue(matched.get(item.speech), 'speechId') !== a.speechId
    )
      return false;
    if (item.source !== undefined && item.source !== a.source) return false;
    if (item.text !== undefined && !matches(item.text, a.text)) return false;
    if (item.spoken !== undefined && !matches(item.spoken, a.spokenText)) return false;
    if (item.reason !== undefined && item.reason !== a.reason) return false;
    if (item.playedMs !== undefined && !matches(item.playedMs, a.playedMs)) return false;
    if (item.played === 'full' && !a.complete) return false;
    if (item.played === 'partial' && a.complete) return false;
    return true;
  };
  const describeItem = (item: AudioItem) => {
    const parts: string[] = [];
    if (item.speech) parts.push(`speech of ${item.speech}`);
    if (item.source) parts.push(item.source);
    if (item.text) parts.push(describeMatcher(item.text));
    if (item.spoken) parts.push(`heard ${describeMatcher(item.spoken)}`);
    if (item.played) parts.push(`played ${item.played}`);
    if (item.playedMs) parts.push(`playedMs ${describeMatcher(item.playedMs)}`);
    if (item.reason) parts.push(item.reason);
    return parts.join(' ') || '*';
  };
  const actual = audio.map(
    (a) =>
      `${a.speechId}${a.step !== null ? `/${a.step}` : ''} ${a.source} ${JSON.stringify(a.text)} played ${a.playedMs}/${a.totalMs}ms (${a.reason})`,
  );
  return listResult('audio', spec, audio, fits, describeItem, actual).result;
}

function listResult<I, A>(
  what: string,
  spec: ListExpectation<I>,
  actual: readonly A[],
  fits: (item: I, a: A) => boolean,
  describeItem: (item: I) => string,
  actualLines: string[],
): { result: ExpectationResult; positions: number[] } {
  const description = `${what} ${spec.mode === 'exact' ? 'is' : 'includes'}: ${spec.items.map(describeItem).join(' | ')}`;
  let failure: string | null = null;
  /** Where each item matched in `actual`, -1 where it did not. */
  const positions = spec.items.map(() => -1);
  if (spec.mode === 'exact') {
    spec.items.forEach((item, i) => {
      if (i < actual.length && fits(item, actual[i]!)) positions[i] = i;
    });
    const bad = positions.indexOf(-1);
    if (bad >= 0) failure = `item ${bad + 1} (${describeItem(spec.items[bad]!)}) does not match`;
    else if (actual.length !== spec.items.length) {
      failure = `expected ${spec.items.length} item(s), found ${actual.length}`;
    }
  } else {
    let from = 0;
    for (const [i, item] of spec.items.entries()) {
      const at = indexFrom(actual, from, (a) => fits(item, a));
      if (at < 0) {
        failure = `item ${i + 1} (${describeItem(item)}) not found in order`;
        break;
      }
      positions[i] = at;
      from = at + 1;
    }
  }
  const happened = actualLines.length ? actualLines.join(' | ') : '(empty)';
  const result = {
    description,
    passed: failure === null,
    detail: failure === null ? `${what}: ${happened}` : `${failure}; ${what} was: ${happened}`,
  };
  return { result, positions };
}

function indexFrom<T>(list: readonly T[], from: number, fits: (item: T) => boolean): number {
  for (let i = from; i < list.length; i++) if (fits(list[i]!)) return i;
  return -1;
}
