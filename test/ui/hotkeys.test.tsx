import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, test } from 'vitest';
import { fakeLogs, mountApp } from './helpers.js';

afterEach(() => cleanup());

const ENTER = '\r';
const ESC = '\u001b';
const CTRL_C = '\u0003';

describe('hotkeys', () => {
  test('i interrupts', async () => {
    const app = mountApp();
    await app.press('i');
    expect(app.controller.interrupt).toHaveBeenCalledWith(false);
    expect(app.frame()).toContain('interrupt');
  });

  test('I force-interrupts', async () => {
    const app = mountApp();
    await app.press('I');
    expect(app.controller.interrupt).toHaveBeenCalledWith(true);
    expect(app.frame()).toContain('force interrupt');
  });

  test('t opens a line; letters (even hotkeys) type into it; Enter sends the user text', async () => {
    const app = mountApp();
    await app.press('t');
    expect(app.frame()).toContain('you ›');
    for (const ch of 'qim hi') await app.press(ch);
    expect(app.frame()).toContain('you › qim hi');
    expect(app.controller.quit).not.toHaveBeenCalled();
    expect(app.controller.interrupt).not.toHaveBeenCalled();
    expect(app.controller.toggleMute).not.toHaveBeenCalled();
    await app.press(ENTER);
    expect(app.controller.sendText).toHaveBeenCalledWith('qim hi');
    expect(app.frame()).not.toContain('you ›');
    expect(app.frame()).toContain('sent: qim hi');
  });

  test('text and Enter arriving in one chunk (a paste, tmux send-keys) are typed, then sent', async () => {
    const app = mountApp();
    await app.press('t');
    await app.press(`what programs?${ENTER}`);
    expect(app.controller.sendText).toHaveBeenCalledWith('what programs?');
    expect(app.frame()).not.toContain('you ›');
  });

  test('a hotkey and its text in one chunk: t opens the line and the rest is typed', async () => {
    const app = mountApp();
    await app.press(`twhat programs?${ENTER}`);
    expect(app.controller.sendText).toHaveBeenCalledWith('what programs?');
  });

  test('keys arriving before a redraw still see the line just opened', async () => {
    const app = mountApp();
    app.stdin.write('t');
    app.stdin.write('q');
    await app.press(ENTER);
    expect(app.controller.sendText).toHaveBeenCalledWith('q');
    expect(app.controller.quit).not.toHaveBeenCalled();
  });

  test('/ opens the same line; Backspace erases; Esc cancels without sending', async () => {
    const app = mountApp();
    await app.press('/');
    await app.press('hey');
    await app.press('\u007f');
    expect(app.frame()).toContain('you › he');
    await app.press(ESC);
    expect(app.frame()).not.toContain('you ›');
    expect(app.controller.sendText).not.toHaveBeenCalled();
  });

  test('s opens a line whose text the agent says', async () => {
    const app = mountApp();
    await app.press('s');
    expect(app.frame()).toContain('agent says ›');
    await app.press('Welcome back!');
    await app.press(ENTER);
    expect(app.controller.say).toHaveBeenCalledWith('Welcome back!');
    expect(app.controller.sendText).not.toHaveBeenCalled();
    expect(app.frame()).toContain('agent says: Welcome back!');
  });

  test('m mutes and unmutes the mic', async () => {
    const app = mountApp();
    expect(app.frame()).toContain('mic on');
    await app.press('m');
    expect(app.controller.toggleMute).toHaveBeenCalledTimes(1);
    expect(app.frame()).toContain('mic muted');
    await app.press('m');
    expect(app.frame()).toContain('mic on');
  });

  test('a switches audio/text mode', async () => {
    const app = mountApp();
    await app.press('a');
    expect(app.controller.toggleAudio).toHaveBeenCalledTimes(1);
    expect(app.frame()).toContain('mode text');
    expect(app.frame()).toContain('text mode');
  });

  test('l toggles the log panel', async () => {
    const logs = fakeLogs();
    const app = mountApp({ logs: logs.source });
    logs.log({ level: 'warn', text: 'device busy' });
    await app.step(50);
    expect(app.frame()).not.toContain('device busy');
    await app.press('l');
    expect(app.frame()).toContain('warn  device busy');
    await app.press('l');
    expect(app.frame()).not.toContain('device busy');
  });

  test('? shows help over the panels; ? or Esc closes it', async () => {
    const app = mountApp();
    await app.press('?');
    expect(app.frame()).toContain('Keys');
    expect(app.frame()).toContain('force interrupt, even speech that disallows interruptions');
    expect(app.frame()).not.toContain('Conversation');
    await app.press(ESC);
    expect(app.frame()).not.toContain('Keys');
    await app.press('?');
    await app.press('?');
    expect(app.frame()).toContain('Conversation');
  });

  test('q quits', async () => {
    const app = mountApp();
    await app.press('q');
    expect(app.controller.quit).toHaveBeenCalledTimes(1);
    expect(app.frame()).toContain('quitting…');
  });

  test('Ctrl+C quits, even while typing', async () => {
    const app = mountApp();
    await app.press('t');
    await app.press(CTRL_C);
    expect(app.controller.quit).toHaveBeenCalledTimes(1);
    expect(app.frame()).toContain('quitting…');
  });

  test('a failing controller call becomes a notice', async () => {
    const app = mountApp();
    app.controller.toggleAudio.mockImplementation(() => {
      throw new Error('no audio device');
    });
    app.controller.interrupt.mockImplementation(() => Promise.reject(new Error('closed')));
    await app.press('a');
    expect(app.frame()).toContain('mode switch failed: no audio device');
    expect(app.frame()).toContain('mode audio');
    await app.press('i');
    expect(app.frame()).toContain('interrupt failed: closed');
  });

  test('the footer lists every hotkey', async () => {
    const app = mountApp();
    expect(app.frame()).toContain(
      'i interrupt · I force · t,/ type · s say · m mute · a audio/text · l logs · ? help · q,Ctrl+C quit',
    );
  });
});
