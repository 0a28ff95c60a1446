/** Screen-local state: panels shown, the open input line, mic/mode as last reported, notices. */
import type { InputMode } from '../types.js';

export type LineKind = 'user' | 'say';

export interface UiState {
  showLogs: boolean;
  showHelp: boolean;
  /** The open input line, if any: while it is open, keys type into it. */
  line: { kind: LineKind; text: string } | null;
  muted: boolean;
  mode: InputMode;
  notice: { level: 'info' | 'error'; text: string } | null;
  quitting: boolean;
}

export type UiAction =
  | { type: 'line.open'; kind: LineKind }
  | { type: 'line.type'; text: string }
  | { type: 'line.backspace' }
  | { type: 'line.close' }
  | { type: 'logs.toggle' }
  | { type: 'help.toggle' }
  | { type: 'help.close' }
  | { type: 'muted'; muted: boolean }
  | { type: 'mode'; mode: InputMode }
  | { type: 'notice'; level: 'info' | 'error'; text: string }
  | { type: 'quitting' };

export function initialUi(mode: InputMode, muted: boolean): UiState {
  return {
    showLogs: false,
    showHelp: false,
    line: null,
    muted,
    mode,
    notice: null,
    quitting: false,
  };
}

/** Longest line accepted: a paste of a whole file should not become one user turn. */
const MAX_LINE = 2000;

export function uiReducer(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'line.open':
      return { ...state, line: { kind: action.kind, text: '' }, showHelp: false };
    case 'line.type':
      if (state.line === null) return state;
      return {
        ...state,
        line: { ...state.line, text: (state.line.text + action.text).slice(0, MAX_LINE) },
      };
    case 'line.backspace':
      if (state.line === null) return state;
      // Remove a whole code point, not half of a surrogate pair.
      return {
        ...state,
        line: { ...state.line, text: Array.from(state.line.text).slice(0, -1).join('') },
      };
    case 'line.close':
      return { ...state, line: null };
    case 'logs.toggle':
      return { ...state, showLogs: !state.showLogs };
    case 'help.toggle':
      return { ...state, showHelp: !state.showHelp };
    case 'help.close':
      return { ...state, showHelp: false };
    case 'muted':
      return state.muted === action.muted ? state : { ...state, muted: action.muted };
    case 'mode':
      return state.mode === action.mode ? state : { ...state, mode: action.mode };
    case 'notice':
      return { ...state, notice: { level: action.level, text: action.text } };
    case 'quitting':
      return { ...state, quitting: true, notice: { level: 'info', text: 'quitting…' } };
  }
}
