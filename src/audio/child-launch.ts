import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type ChildLink,
  type ChildMessage,
  isMessage,
  type ParentMessage,
} from './device-protocol.js';

export type AudioLog = (line: string) => void;

/** A device-audio failure, with a one-line message meant for the user (e.g. "no audio input device found"). */
export class AudioDeviceError extends Error {
  override readonly name = 'AudioDeviceError';
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface LaunchOptions {
  readonly log?: AudioLog;
  /** Extra environment for the child (e.g. XDG_RUNTIME_DIR / PULSE_SERVER of a virtual card). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Another script that runs the device host (`runAudioHost`) on another backend, e.g. the
   * benchmarks' simulated device. Default: device-child on naudiodon.
   */
  readonly entry?: ChildEntry;
}

export interface ChildEntry {
  readonly script: string;
  readonly execArgv: readonly string[];
}

/**
 * How to start the child: the `.ts` source through tsx when this module is itself the
 * source (dev, tests), the compiled `.js` next to it when running from `dist/`.
 */
export function childEntry(): ChildEntry {
  const self = fileURLToPath(import.meta.url);
  const dir = dirname(self);
  if (self.endsWith('.ts')) {
    // Resolved from here, not from the cwd, so it works whatever directory voxagent runs in.
    const tsx = createRequire(import.meta.url).resolve('tsx');
    return {
      script: join(dir, 'device-child.ts'),
      execArgv: ['--import', pathToFileURL(tsx).href],
    };
  }
  return { script: join(dir, 'device-child.js'), execArgv: [] };
}

/** One audio child process: typed IPC, stdout/stderr into the log, never the terminal. */
export class AudioChild implements ChildLink {
  readonly #child: ChildProcess;
  readonly #listeners = new Set<(message: ChildMessage) => void>();
  readonly #recent: string[] = [];
  #exit: ChildExit | null = null;
  readonly exited: Promise<ChildExit>;

  constructor(options: LaunchOptions = {}) {
    const { script, execArgv } = options.entry ?? childEntry();
    this.#child = fork(script, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
      execArgv: [...execArgv],
      // Each blocking naudiodon read/write holds a libuv pool thread; leave room for more.
      env: { UV_THREADPOOL_SIZE: '8', ...process.env, ...options.env },
    });
    const log = options.log ?? (() => {});
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
        this.#recent.push(line);
        if (this.#recent.length > 5) this.#recent.shift();
        log(line);
      });
    }
    this.#child.on('message', (message: unknown) => {
      if (!isMessage<ChildMessage>(message)) return;
      for (const listener of [...this.#listeners]) listener(message);
    });
    this.exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
      // A failed spawn emits 'error' and maybe no 'exit'.
      this.#child.once('error', () => {
        this.#exit ??= { code: null, signal: null };
        resolve(this.#exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get hasExited(): boolean {
    return this.#exit !== null;
  }

  /** The last lines the child printed, for error messages. */
  get recentOutput(): readonly string[] {
    return this.#recent;
  }

  send(message: ParentMessage): void {
    if (this.#exit || !this.#child.connected) return;
    this.#child.send(message, (error) => {
      // The child went away between the check and the send: its exit is handled elsewhere.
      void error;
    });
  }

  onMessage(listener: (message: ChildMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves with the first message of type `type`; rejects with an AudioDeviceError on an
   * `error` message, on exit, or after `timeoutMs`.
   */
  waitFor<T extends ChildMessage['t']>(
    type: T,
    timeoutMs: number,
    what: string,
  ): Promise<Extract<ChildMessage, { t: T }>> {
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        off();
        clearTimeout(timer);
        fn();
      };
      const off = this.onMessage((message) => {
        if (message.t === type) done(() => resolve(message as Extract<ChildMessage, { t: T }>));
        else if (message.t === 'error') done(() => reject(new AudioDeviceError(message.message)));
      });
      const timer = setTimeout(
        () =>
          done(() => reject(new AudioDeviceError(`audio child: no ${what} after ${timeoutMs} ms`))),
        timeoutMs,
      );
      void this.exited.then((exit) =>
        done(() =>
          reject(
            new AudioDeviceError(
              `audio child exited (${describeExit(exit)}) before ${what}${this.#hint()}`,
            ),
          ),
        ),
      );
    });
  }

  /** Asks nothing: SIGKILL. Used only when a polite close did not finish in time. */
  kill(): void {
    if (!this.#exit) this.#child.kill('SIGKILL');
  }

  #hint(): string {
    const last = this.#recent.at(-1);
    return last ? `; last output: ${last.trim()}` : '';
  }
}

function describeExit(exit: ChildExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** Waits for `promise` at most `ms`; true if it settled in time. */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
