import { useInput } from 'ink';
import { type KeyCommand, resolveKey } from '../state/keys.js';
import type { ConsoleController } from '../types.js';
import type { UiStore } from './use-ui-state.js';

/**
 * Reads keys (only where raw mode exists: a piped stdin has no hotkeys) and carries out
 * what `resolveKey` decides. Controller failures become a notice, never a crash.
 */
export function useHotkeys(store: UiStore, controller: ConsoleController, isActive: boolean): void {
  useInput(
    (input, key) => {
      const press = (text: string, enter: boolean) =>
        execute(
          resolveKey(store.latest(), {
            input: text,
            ctrl: key.ctrl,
            meta: key.meta,
            escape: key.escape,
            return: enter,
            backspace: key.backspace,
            delete: key.delete,
          }),
          store,
          controller,
        );
      // Several keys can arrive in one read (a paste, a busy terminal, tmux): each character
      // is a key of its own, so `t` still opens the line and the rest is typed into it.
      if (input.length > 1) {
        for (const ch of input.replace(/\r\n/g, '\r')) {
          if (ch === '\r' || ch === '\n') press('', true);
          else press(ch, false);
        }
        return;
      }
      press(input, key.return);
    },
    { isActive },
  );
}

function attempt<T>(
  store: UiStore,
  what: string,
  call: () => T | Promise<T>,
  done?: (value: T) => void,
): void {
  const fail = (err: unknown) =>
    store.dispatch({
      type: 'notice',
      level: 'error',
      text: `${what} failed: ${err instanceof Error ? err.message : String(err)}`,
    });
  try {
    Promise.resolve(call()).then((value) => done?.(value), fail);
  } catch (err) {
    fail(err);
  }
}

function execute(command: KeyCommand, store: UiStore, controller: ConsoleController): void {
  const notice = (text: string) => store.dispatch({ type: 'notice', level: 'info', text });
  switch (command.type) {
    case 'none':
      return;
    case 'ui':
      store.dispatch(command.action);
      return;
    case 'interrupt': {
      const what = command.force ? 'force interrupt' : 'interrupt';
      notice(what);
      attempt(
        store,
        'interrupt',
        () => controller.interrupt(command.force),
        (status) => {
          if (status === 'waiting') notice(`${what}: waits for the session to start`);
        },
      );
      return;
    }
    case 'send': {
      store.dispatch({ type: 'line.close' });
      const { kind, text } = command;
      const what = kind === 'user' ? `sent: ${text}` : `agent says: ${text}`;
      // Until the controller answers, nothing claims the input reached the session.
      attempt(
        store,
        kind === 'user' ? 'send' : 'say',
        () => (kind === 'user' ? controller.sendText(text) : controller.say(text)),
        (status) => notice(status === 'waiting' ? `waits for the session to start: ${text}` : what),
      );
      return;
    }
    case 'mute':
      attempt(
        store,
        'mute',
        () => controller.toggleMute(),
        (muted) => {
          store.dispatch({ type: 'muted', muted });
          notice(muted ? 'microphone muted' : 'microphone on');
        },
      );
      return;
    case 'audio':
      attempt(
        store,
        'mode switch',
        () => controller.toggleAudio(),
        (mode) => {
          store.dispatch({ type: 'mode', mode });
          notice(`${mode} mode`);
        },
      );
      return;
    case 'quit':
      store.dispatch({ type: 'quitting' });
      attempt(store, 'quit', () => controller.quit());
      return;
  }
}
