import { describe, expect, test } from 'vitest';
import { HOTKEYS, type KeyPress, resolveKey } from '../../../src/ui/state/keys.js';
import { initialUi, uiReducer } from '../../../src/ui/state/ui.js';

const key = (input: string, extra: Partial<KeyPress> = {}): KeyPress => ({
  input,
  ctrl: false,
  meta: false,
  escape: false,
  return: false,
  backspace: false,
  delete: false,
  ...extra,
});
const idle = initialUi('audio', false);
const typing = uiReducer(uiReducer(idle, { type: 'line.open', kind: 'say' }), {
  type: 'line.type',
  text: 'hello',
});

describe('hotkeys', () => {
  test.each([
    ['i', { type: 'interrupt', force: false }],
    ['I', { type: 'interrupt', force: true }],
    ['t', { type: 'ui', action: { type: 'line.open', kind: 'user' } }],
    ['/', { type: 'ui', action: { type: 'line.open', kind: 'user' } }],
    ['s', { type: 'ui', action: { type: 'line.open', kind: 'say' } }],
    ['m', { type: 'mute' }],
    ['a', { type: 'audio' }],
    ['l', { type: 'ui', action: { type: 'logs.toggle' } }],
    ['?', { type: 'ui', action: { type: 'help.toggle' } }],
    ['q', { type: 'quit' }],
    ['x', { type: 'none' }],
  ])('%s', (input, command) => {
    expect(resolveKey(idle, key(input))).toEqual(command);
  });

  test('Ctrl+C quits, even while typing; other Ctrl keys do nothing', () => {
    expect(resolveKey(idle, key('c', { ctrl: true }))).toEqual({ type: 'quit' });
    expect(resolveKey(typing, key('c', { ctrl: true }))).toEqual({ type: 'quit' });
    expect(resolveKey(idle, key('i', { ctrl: true }))).toEqual({ type: 'none' });
  });

  test('every hotkey is listed once', () => {
    const keys = HOTKEYS.flatMap((h) => h.keys);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('while a line is open', () => {
  test('letters type, even hotkey letters', () => {
    expect(resolveKey(typing, key('q'))).toEqual({
      type: 'ui',
      action: { type: 'line.type', text: 'q' },
    });
    expect(resolveKey(typing, key('\u0007'))).toEqual({ type: 'none' });
  });

  test('Enter sends the trimmed text; an empty line just closes', () => {
    expect(resolveKey(typing, key('\r', { return: true }))).toEqual({
      type: 'send',
      kind: 'say',
      text: 'hello',
    });
    const empty = uiReducer(idle, { type: 'line.open', kind: 'user' });
    expect(resolveKey(empty, key('\r', { return: true }))).toEqual({
      type: 'ui',
      action: { type: 'line.close' },
    });
  });

  test('Esc cancels, Backspace (or DEL) erases', () => {
    expect(resolveKey(typing, key('', { escape: true }))).toEqual({
      type: 'ui',
      action: { type: 'line.close' },
    });
    expect(resolveKey(typing, key('', { delete: true }))).toEqual({
      type: 'ui',
      action: { type: 'line.backspace' },
    });
  });
});

test('Esc closes help', () => {
  const help = uiReducer(idle, { type: 'help.toggle' });
  expect(resolveKey(help, key('', { escape: true }))).toEqual({
    type: 'ui',
    action: { type: 'help.close' },
  });
});
