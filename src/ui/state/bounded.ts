/** Helpers that keep every list on screen bounded, so an hour-long session has flat memory. */

/** Appends `item` and drops the oldest entries beyond `max`. */
export function pushBounded<T>(list: readonly T[], item: T, max: number): readonly T[] {
  const next = [...list, item];
  return next.length > max ? next.slice(next.length - max) : next;
}

/** Drops the oldest items matching `droppable` until at most `max` of them remain. */
export function pruneOldest<T>(
  list: readonly T[],
  droppable: (item: T) => boolean,
  max: number,
): readonly T[] {
  let excess = list.filter(droppable).length - max;
  if (excess <= 0) return list;
  return list.filter((item) => {
    if (excess > 0 && droppable(item)) {
      excess--;
      return false;
    }
    return true;
  });
}

/** Replaces the first item matching `match` with `update(item)`; returns `list` if none. */
export function updateWhere<T>(
  list: readonly T[],
  match: (item: T) => boolean,
  update: (item: T) => T,
): readonly T[] {
  const i = list.findIndex(match);
  if (i < 0) return list;
  const next = [...list];
  next[i] = update(list[i] as T);
  return next;
}

/** Long strings (tool outputs, LLM text) are clipped when stored: the screen shows a line. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
