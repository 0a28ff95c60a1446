/** Fakes for the console's inputs: events, time, timers, controller, and a mounted App. */
import { EventEmitter } from 'node:events';
import { render as inkRender } from 'ink';
import { render } from 'ink-testing-library';
import { vi } from 'vitest';
import type {
  EventOf,
  SessionEvent,
  SessionEventMap,
  SessionEventName,
} from '../../src/runtime/events/types.js';
import { App, type AppProps } from '../../src/ui/app.js';
import type {
  ConsoleController,
  HeaderInfo,
  LogLine,
  LogSource,
  Scheduler,
  SessionEventSource,
} from '../../src/ui/types.js';

let seq = 0;

/** One event as the runtime would emit it. */
export function ev<K extends SessionEventName>(type: K, t: number, payload: SessionEventMap[K]) {
  // The spread is exactly the event; TS cannot see through the mapped union.
  return { type, t, seq: seq++, ...payload } as unknown as EventOf<K>;
}

export function fold<S>(reducer: (s: S, e: SessionEvent) => S, initial: S, events: SessionEvent[]) {
  return events.reduce(reducer, initial);
}

export function fakeEvents() {
  const listeners = new Set<(e: SessionEvent) => void>();
  const source: SessionEventSource = {
    onAny(fn) {
      listeners.add(fn);
      return { dispose: () => listeners.delete(fn) };
    },
  };
  return {
    source,
    emit: (...events: SessionEvent[]) => {
      for (const e of events) for (const fn of listeners) fn(e);
    },
    listenerCount: () => listeners.size,
  };
}

export function fakeLogs() {
  const listeners = new Set<(l: LogLine) => void>();
  const source: LogSource = {
    onLine(fn) {
      listeners.add(fn);
      return { dispose: () => listeners.delete(fn) };
    },
  };
  return {
    source,
    log: (line: LogLine) => {
      for (const fn of listeners) fn(line);
    },
  };
}

/** Timers on a hand-driven clock: nothing runs until `advance`. */
export function manualScheduler() {
  let time = 0;
  let nextId = 0;
  const timers = new Map<number, { due: number; every: number | null; fn: () => void }>();
  const add = (ms: number, every: number | null, fn: () => void) => {
    const id = nextId++;
    timers.set(id, { due: time + ms, every, fn });
    return () => {
      timers.delete(id);
    };
  };
  const scheduler: Scheduler = {
    after: (ms, fn) => add(ms, null, fn),
    every: (ms, fn) => add(Math.max(1, ms), Math.max(1, ms), fn),
  };
  return {
    scheduler,
    pending: () => timers.size,
    advance(ms: number) {
      const end = time + ms;
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, t]) => t.due <= end)
          .sort((a, b) => a[1].due - b[1].due)[0];
        if (!due) break;
        const [id, timer] = due;
        time = timer.due;
        if (timer.every === null) timers.delete(id);
        else timer.due += timer.every;
        timer.fn();
      }
      time = end;
    },
  };
}

export function fakeController() {
  let muted = false;
  let mode: 'audio' | 'text' = 'audio';
  return {
    interrupt: vi.fn((_force: boolean) => {}),
    sendText: vi.fn((_text: string) => {}),
    say: vi.fn((_text: string) => {}),
    toggleMute: vi.fn(() => {
      muted = !muted;
      return muted;
    }),
    toggleAudio: vi.fn(() => {
      mode = mode === 'audio' ? 'text' : 'audio';
      return mode;
    }),
    quit: vi.fn(() => {}),
  } satisfies ConsoleController;
}

export const header: HeaderInfo = {
  title: 'voxagent dev',
  agentName: 'Assistant',
  models: [{ role: 'llm', name: 'fake-llm', why: 'no OPENAI_API_KEY' }],
  mode: 'audio',
};

/** Lets React commit and Ink write: a turn of the event loop, not a wait on time. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Drops colours so assertions read the text only. */
export function plain(frame: string | undefined): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
  return (frame ?? '').replace(/\u001b\[[0-9;]*m/g, '');
}

/** Mounts the whole screen on fakes; `step(ms)` moves session time and host timers together. */
export function mountApp(props: Partial<AppProps> = {}) {
  const events = fakeEvents();
  const timers = manualScheduler();
  const controller = fakeController();
  let now = 0;
  const fullProps: AppProps = {
    events: events.source,
    controller,
    header,
    now: () => now,
    scheduler: timers.scheduler,
    ...props,
  };
  const view = render(<App {...fullProps} />);
  return {
    ...view,
    events,
    timers,
    controller,
    frame: () => plain(view.lastFrame()),
    setNow(t: number) {
      now = t;
    },
    /** Emits at session time `t`, then runs the frame and lets Ink draw. */
    async emit(...list: SessionEvent[]) {
      const last = list.at(-1);
      if (last) now = Math.max(now, last.t);
      events.emit(...list);
      timers.advance(50);
      await flush();
    },
    async step(ms: number) {
      now += ms;
      timers.advance(ms);
      await flush();
    },
    async press(input: string) {
      view.stdin.write(input);
      await flush();
    },
  };
}

/** Just enough of a terminal for Ink, of a given size: what it writes is kept. */
export class FakeOut extends EventEmitter {
  isTTY = false;
  chunks: string[] = [];
  constructor(
    public columns = 100,
    public rows = 40,
  ) {
    super();
  }
  write = (chunk: string) => {
    this.chunks.push(chunk);
    return true;
  };
  text = () => plain(this.chunks.join(''));
  /** Changes the size the way a terminal does: Ink and the App hear 'resize'. */
  resize(columns: number, rows: number) {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

/** A keyboard: `type` queues data the way a TTY in raw mode delivers it. */
export class FakeIn extends EventEmitter {
  #queue: string[] = [];
  constructor(readonly isTTY: boolean) {
    super();
  }
  type(data: string) {
    this.#queue.push(data);
    this.emit('readable');
  }
  read = () => this.#queue.shift() ?? null;
  setRawMode() {}
  setEncoding() {}
  ref() {}
  unref() {}
  resume() {}
  pause() {}
}

/**
 * The whole screen on a terminal of `columns` × `rows` (Ink's debug mode writes every frame
 * whole, CI or not): `frame()` is the last one, `lines()` its lines.
 */
export function mountScreen(columns: number, rows: number, props: Partial<AppProps> = {}) {
  const events = fakeEvents();
  const timers = manualScheduler();
  const controller = fakeController();
  const stdout = new FakeOut(columns, rows);
  const stdin = new FakeIn(true);
  let now = 0;
  const fullProps: AppProps = {
    events: events.source,
    controller,
    header,
    now: () => now,
    scheduler: timers.scheduler,
    ...props,
  };
  const instance = inkRender(<App {...fullProps} />, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new FakeOut() as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const frame = () => plain(stdout.chunks.at(-1));
  return {
    events,
    timers,
    controller,
    stdout,
    frame,
    lines: () => frame().split('\n'),
    rerender: (next: Partial<AppProps>) => instance.rerender(<App {...fullProps} {...next} />),
    unmount: () => instance.unmount(),
    async emit(...list: SessionEvent[]) {
      const last = list.at(-1);
      if (last) now = Math.max(now, last.t);
      events.emit(...list);
      timers.advance(50);
      await flush();
    },
    async step(ms: number) {
      now += ms;
      timers.advance(ms);
      await flush();
    },
    async press(input: string) {
      stdin.type(input);
      await flush();
    },
  };
}

/** A `metrics.turn` payload whose whole latency sits in one part (the rest zero). */
export function turnMetrics(turnId: string, speechId: string, e2eMs: number) {
  return {
    turnId,
    speechId,
    e2eMs,
    parts: {
      transcriptionMs: 0,
      endpointingMs: 0,
      hookMs: 0,
      queueMs: 0,
      toolsMs: 0,
      llmTtftMs: e2eMs,
      llmSentenceMs: 0,
      ttsTtfbMs: 0,
      outputMs: 0,
    },
    endpointingSetting: null,
  };
}
