import { useEffect, useReducer } from 'react';
import type { SessionEvent } from '../../runtime/events/types.js';
import type { FrameBatcher } from '../scheduler.js';
import type { SessionEventSource } from '../types.js';

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
  const [state, dispatch] = useReducer(
    (s: S, batch: readonly SessionEvent[]) => batch.reduce(reducer, s),
    initial,
  );
  useEffect(() => {
    let buffer: SessionEvent[] = [];
    let live = true;
    const flush = () => {
      if (!live || buffer.length === 0) return;
      const batch = buffer;
      buffer = [];
      dispatch(batch);
    };
    const sub = events.onAny((e) => {
      buffer.push(e);
      frame.request(flush);
    });
    return () => {
      live = false;
      sub.dispose();
    };
  }, [events, frame]);
  return state;
}
