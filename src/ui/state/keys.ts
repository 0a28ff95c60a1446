/**
 * Maps one key press to one command, given the screen state. Pure, so every hotkey and the
 * input line's editing are decided in one table-like place; the hook only executes.
 */
import type { LineKind, UiAction, UiState } from './ui.js';

/** The parts of Ink's `Key` the console uses. */
export interface KeyPress {
  input: string;
  ctrl: boolean;
  meta: boolean;
  escape: boolean;
  return: boolean;
  backspace: boolean;
  delete: boolean;
}

export type KeyCommand =
  | { type: 'ui'; action: UiAction }
  | { type: 'interrupt'; force: boolean }
  | { type: 'send'; kind: LineKind; text: string }
  | { type: 'mute' }
  | { type: 'audio' }
  | { type: 'quit' }
  | { type: 'none' };

export interface Hotkey {
  keys: string[];
  label: string;
  help: string;
  command: KeyCommand;
}

/** The footer and the help overlay list exactly these. */
export const HOTKEYS: readonly Hotkey[] = [
  {
    keys: ['i'],
    label: 'interrupt',
    help: 'interrupt the agent (speech that disallows interruptions keeps playing)',
    command: { type: 'interrupt', force: false },
  },
  {
    keys: ['I'],
    label: 'force',
    help: 'force interrupt, even speech that disallows interruptions',
    command: { type: 'interrupt', force: true },
  },
  {
    keys: ['t', '/'],
    label: 'type',
    help: 'type what the user says; Enter sends, Esc cancels',
    command: { type: 'ui', action: { type: 'line.open', kind: 'user' } },
  },
  {
    keys: ['s'],
    label: 'say',
    help: 'type text the agent says as is; Enter sends, Esc cancels',
    command: { type: 'ui', action: { type: 'line.open', kind: 'say' } },
  },
  { keys: ['m'], label: 'mute', help: 'mute or unmute the microphone', command: { type: 'mute' } },
  {
    keys: ['a'],
    label: 'audio/text',
    help: 'switch between audio and text mode',
    command: { type: 'audio' },
  },
  {
    keys: ['l'],
    label: 'logs',
    help: 'show or hide the log panel',
    command: { type: 'ui', action: { type: 'logs.toggle' } },
  },
  {
    keys: ['?'],
    label: 'help',
    help: 'show or hide this help',
    command: { type: 'ui', action: { type: 'help.toggle' } },
  },
  {
    keys: ['q', 'Ctrl+C'],
    label: 'quit',
    help: 'close the session and quit',
    command: { type: 'quit' },
  },
];

/** The footer where the full list does not fit (80 columns): the same keys, fewer words. */
export const HOTKEYS_SHORT =
  'i/I interrupt · t type · s say · m mute · a mode · l logs · ? help · q quit';

/** The footer's list of keys, the full one when it fits on one line of `width`. */
export function hotkeyLine(width: number): string {
  const full = HOTKEYS.map((h) => `${h.keys.join(',')} ${h.label}`).join(' · ');
  return full.length <= width ? full : HOTKEYS_SHORT;
}

const NONE: KeyCommand = { type: 'none' };

// Control characters (and stray escape sequences) never belong in the typed text.
const printable = (text: string) =>
  Array.from(text)
    .filter((c) => {
      const code = c.codePointAt(0) ?? 0;
      return code >= 0x20 && code !== 0x7f;
    })
    .join('');

function lineKey(line: NonNullable<UiState['line']>, key: KeyPress): KeyCommand {
  if (key.escape) return { type: 'ui', action: { type: 'line.close' } };
  if (key.return) {
    const text = line.text.trim();
    return text === ''
      ? { type: 'ui', action: { type: 'line.close' } }
      : { type: 'send', kind: line.kind, text };
  }
  // Terminals send DEL for Backspace, which Ink reports as `delete`.
  if (key.backspace || key.delete) return { type: 'ui', action: { type: 'line.backspace' } };
  if (key.ctrl || key.meta) return NONE;
  const text = printable(key.input);
  return text === '' ? NONE : { type: 'ui', action: { type: 'line.type', text } };
}

export function resolveKey(ui: UiState, key: KeyPress): KeyCommand {
  if (key.ctrl && key.input === 'c') return { type: 'quit' };
  if (ui.line !== null) return lineKey(ui.line, key);
  if (key.escape) return ui.showHelp ? { type: 'ui', action: { type: 'help.close' } } : NONE;
  if (key.ctrl || key.meta) return NONE;
  return HOTKEYS.find((h) => h.keys.includes(key.input))?.command ?? NONE;
}
