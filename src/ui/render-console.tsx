/**
 * Entry point for `voxagent dev` / `connect`: draws the live console for a session and
 * returns a handle. The caller owns the session: on `controller.quit()` it closes the
 * session, then calls `unmount()`, which restores the terminal.
 */
import { render } from 'ink';
import { App } from './app.js';
import { realScheduler } from './scheduler.js';
import { createSessionTap } from './session-tap.js';
import type {
  ConsoleController,
  HeaderInfo,
  LogSource,
  Scheduler,
  SessionEventSource,
} from './types.js';

export interface RenderConsoleOptions {
  events: SessionEventSource;
  controller: ConsoleController;
  header: HeaderInfo;
  /** Microphone level, linear RMS in 0..1; polled ~15 times a second. */
  getLevel?: () => number;
  /** Level of the agent's voice as it plays, linear RMS in 0..1. */
  getOutputLevel?: () => number;
  logs?: LogSource;
  /** Session time in ms; pass `() => session.clock.now()` (required for a virtual clock). */
  now?: () => number;
  scheduler?: Scheduler;
  /** Most renders per second (default 30). */
  fps?: number;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** Route console.* above the screen (default true; tests turn it off). */
  patchConsole?: boolean;
  /** Write every frame whole, without cursor moves (tests read the last frame). */
  debug?: boolean;
}

export interface ConsoleHandle {
  unmount(): void;
  waitUntilExit(): Promise<void>;
  /** Updates the header in place: load errors, mode, notes, waiting inputs. */
  setHeader(patch: Partial<HeaderInfo>): void;
  /**
   * The events from now on come from a new session: its panels start empty, in place of the
   * old ones (the frame is redrawn, not appended), with `patch` (e.g. its `sessionNotice`).
   */
  beginSession(patch?: Partial<HeaderInfo>): void;
}

export function renderConsole(options: RenderConsoleOptions): ConsoleHandle {
  const tap = createSessionTap(options.events);
  const fps = options.fps ?? 30;
  let header = options.header;
  let sessionKey = 0;
  const element = () => (
    <App
      events={tap.source}
      controller={options.controller}
      header={header}
      now={options.now ?? tap.now}
      scheduler={options.scheduler ?? realScheduler}
      getLevel={options.getLevel}
      getOutputLevel={options.getOutputLevel}
      logs={options.logs}
      fps={fps}
      sessionKey={sessionKey}
      onReady={tap.release}
    />
  );
  const instance = render(element(), {
    // Ink spreads its options over its defaults: an explicit undefined would erase them.
    stdin: options.stdin ?? process.stdin,
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
    // Ctrl+C is a hotkey: it asks the controller to quit, so the session closes cleanly.
    exitOnCtrlC: false,
    patchConsole: options.patchConsole ?? true,
    debug: options.debug ?? false,
    maxFps: fps,
  });
  let mounted = true;
  return {
    unmount() {
      if (!mounted) return;
      mounted = false;
      instance.unmount();
      tap.dispose();
    },
    waitUntilExit: () => instance.waitUntilExit().then(() => undefined),
    setHeader(patch) {
      if (!mounted) return;
      header = { ...header, ...patch };
      instance.rerender(element());
    },
    beginSession(patch = {}) {
      if (!mounted) return;
      tap.newSession();
      sessionKey++;
      header = { ...header, ...patch };
      instance.rerender(element());
    },
  };
}
