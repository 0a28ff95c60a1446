import { useCallback } from 'react';
import type { SessionEvent } from '../../runtime/events/types.js';
import type { FrameBatcher } from '../scheduler.js';
import type { SessionEventSource } from '../types.js';
import { useBatchedStream } from './use-batched-stream.js';

const subscribe = (events: SessionEventSource, push: (e: SessionEvent) => void) =>
  events.onAny(push);

/**
 * Folds the session's events into `reducer`'s state. Events are buffered and applied in
 * one dispatch per frame, so a burst costs one render.
 */
export function useSessionEvents<S>(
  events: SessionEventSource,
  frame: FrameBatcher,
  reducer: (state: S, e: SessionEvent) => S,
  initial: S,
): S {
  const fold = useCallback(
    (s: S, batch: readonly SessionEvent[]) => batch.reduce(reducer, s),
    [reducer],
  );
  return useBatchedStream(events, subscribe, frame, fold, initial);
}
