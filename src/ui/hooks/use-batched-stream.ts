import { useEffect, useReducer } from 'react';
import type { FrameBatcher } from '../scheduler.js';
import type { Disposable } from '../types.js';

/**
 * Subscribes to `source` in one effect and folds what it delivers into `reducer`'s state,
 * one dispatch per frame, so a burst costs one render. `subscribe` must not change between
 * renders (pass a module-level function); the subscription follows `source` and `frame`.
 */
export function useBatchedStream<Source, Item, S>(
  source: Source | undefined,
  subscribe: (source: Source, push: (item: Item) => void) => Disposable,
  frame: FrameBatcher,
  reducer: (state: S, batch: readonly Item[]) => S,
  initial: S,
): S {
  const [state, dispatch] = useReducer(reducer, initial);
  useEffect(() => {
    if (source === undefined) return;
    let buffer: Item[] = [];
    let live = true;
    const flush = () => {
      if (!live || buffer.length === 0) return;
      const batch = buffer;
      buffer = [];
      dispatch(batch);
    };
    const sub = subscribe(source, (item) => {
      buffer.push(item);
      frame.request(flush);
    });
    return () => {
      live = false;
      sub.dispose();
    };
  }, [source, subscribe, frame]);
  return state;
}
