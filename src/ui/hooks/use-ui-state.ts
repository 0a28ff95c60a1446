import { useCallback, useEffect, useReducer, useRef } from 'react';
import { initialUi, type UiAction, type UiState, uiReducer } from '../state/ui.js';
import type { InputMode } from '../types.js';

export interface UiStore {
  ui: UiState;
  dispatch(action: UiAction): void;
  /**
   * The state with every dispatched action applied, even before React re-renders: two key
   * presses handled in one tick (t then a letter) must see each other.
   */
  latest(): UiState;
}

/** Screen state; mode and mute follow the header whenever the caller reports a change. */
export function useUiState(mode: InputMode, muted: boolean): UiStore {
  const [ui, reactDispatch] = useReducer(uiReducer, undefined, () => initialUi(mode, muted));
  const latest = useRef(ui);
  latest.current = ui;
  const dispatch = useCallback((action: UiAction) => {
    latest.current = uiReducer(latest.current, action);
    reactDispatch(action);
  }, []);
  useEffect(() => dispatch({ type: 'mode', mode }), [dispatch, mode]);
  useEffect(() => dispatch({ type: 'muted', muted }), [dispatch, muted]);
  return { ui, dispatch, latest: useCallback(() => latest.current, []) };
}
