/**
 * A command in a real terminal for `dev-console.test.ts`: a detached tmux session of a fixed
 * size on its own tmux server (`-S`, a socket in the test's temp folder), so parallel tests
 * and other tmux users never share one and nothing is left behind. Read with
 * `capture-pane -p`, driven with `send-keys`; every wait polls the screen or the
 * exit-status file against a deadline.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface TerminalOptions {
  /** tmux server socket path (`tmux -S`); one per run, removed with its folder. */
  readonly socket: string;
  readonly cwd: string;
  /** argv of the command; quoted for the shell here. */
  readonly argv: readonly string[];
  /** Extra environment; CI is removed unless given here (Ink draws nothing under CI=true). */
  readonly env: Readonly<Record<string, string>>;
  /** The shell writes the command's exit status here. */
  readonly exitFile: string;
  readonly columns?: number;
  readonly rows?: number;
}

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

export function tmuxMissing(): string | null {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'tmux is not installed (apt-get install -y tmux)';
  }
}

export class Terminal {
  readonly #o: TerminalOptions;

  constructor(options: TerminalOptions) {
    this.#o = options;
    const vars = Object.entries(options.env).map(([k, v]) => quote(`${k}=${v}`));
    const command = [
      `cd ${quote(options.cwd)} &&`,
      'env -u CI',
      ...vars,
      ...options.argv.map(quote),
      `; echo "$?" > ${quote(options.exitFile)}`,
    ].join(' ');
    this.#tmux(
      'new-session',
      '-d',
      '-s',
      'main',
      '-x',
      String(options.columns ?? 140),
      '-y',
      String(options.rows ?? 45),
      command,
    );
  }

  screen(): string {
    try {
      return this.#tmux('capture-pane', '-p', '-t', 'main');
    } catch {
      return '(no screen: the session has ended)';
    }
  }

  /** `tmux send-keys`: key names (`Enter`, `i`) or, after `-l`, literal text. */
  /** The run's log file so far (its path is in the console's header). */
  log(): string {
    const path = /log: (\S+\.log)/.exec(this.screen().replace(/\n/g, ''))?.[1];
    if (!path || !existsSync(path)) throw new Error(`no log file on screen:\n${this.screen()}`);
    return readFileSync(path, 'utf8');
  }

  keys(...keys: string[]): void {
    this.#tmux('send-keys', '-t', 'main', ...keys);
  }

  /** Polls the screen until `test` returns something; fails with the last screen after `ms`. */
  async waitFor<T>(
    test: (screen: string) => T | null | undefined | false,
    ms: number,
    what: string,
  ): Promise<T> {
    const deadline = performance.now() + ms;
    for (;;) {
      const screen = this.screen();
      const found = test(screen);
      if (found !== null && found !== undefined && found !== false) return found;
      if (performance.now() > deadline) {
        throw new Error(`no ${what} within ${ms} ms; screen:\n${screen}`);
      }
      await pause(50);
    }
  }

  /** The exit status, once the shell has written it (polled every 10 ms up to `ms`). */
  async exitStatus(ms: number): Promise<number> {
    const deadline = performance.now() + ms;
    for (;;) {
      if (existsSync(this.#o.exitFile)) {
        const text = readFileSync(this.#o.exitFile, 'utf8').trim();
        if (text !== '') return Number(text);
      }
      if (performance.now() > deadline) {
        throw new Error(`the command did not exit within ${ms} ms; screen:\n${this.screen()}`);
      }
      await pause(10);
    }
  }

  /** Ends the tmux server and with it the command, if it still runs. */
  close(): void {
    try {
      execFileSync('tmux', ['-S', this.#o.socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // The server already ended with its last session.
    }
  }

  #tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.#o.socket, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 5000,
    });
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One speech handle row of the console's Speech panel. */
export interface SpeechRow {
  readonly id: string;
  /** `playing`, `paused`, `queued`, `done interrupted`, … */
  readonly state: string;
  /** The header line (source, origin, heard, `by …`, false interruptions). */
  readonly line: string;
  /** The text lines under it. */
  readonly text: string;
}

const ROW =
  /^\S+ (speech_\d+) (queued|generating|playing|paused|awaiting tools|interrupting|done \w+) · /;

/** The rows of the Speech panel, parsed from a screen. */
export function speechRows(screen: string): SpeechRow[] {
  const lines = screen.split('\n');
  const rows: SpeechRow[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = ROW.exec(lines[i] ?? '');
    if (!match) continue;
    // The text follows (wrapped lines too) up to the next row or the blank line after the panel.
    const text: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j] ?? '';
      if (line.trim() === '' || ROW.test(line)) break;
      text.push(line.trim());
    }
    rows.push({ id: match[1]!, state: match[2]!, line: lines[i]!, text: text.join(' ') });
  }
  return rows;
}
