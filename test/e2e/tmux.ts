import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** Whether tmux and the built CLI are here (CI installs tmux and builds in `npm ci`). */
export function terminalAvailable(): string | null {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'tmux is not installed (apt-get install tmux)';
  }
  if (!existsSync(new URL('../../dist/src/cli/main.js', import.meta.url))) {
    return 'the CLI is not built (npm run build)';
  }
  return null;
}

/** A command running in a detached tmux session of a fixed size, read with capture-pane. */
export class TmuxProcess {
  readonly name: string;
  readonly #exitFile: string;

  constructor(
    name: string,
    command: string,
    cwd: string,
    exitFile: string,
    env: Record<string, string> = {},
    size: { columns: number; rows: number } = { columns: 140, rows: 50 },
  ) {
    this.name = name;
    this.#exitFile = exitFile;
    const vars = Object.entries(env)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(' ');
    // Ink renders only at exit under CI=true, so the command runs with CI unset.
    const shell = `cd ${JSON.stringify(cwd)} && env -u CI ${vars} ${command}; echo $? > ${JSON.stringify(exitFile)}`;
    execFileSync('tmux', [
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(size.columns),
      '-y',
      String(size.rows),
      shell,
    ]);
  }

  screen(): string {
    try {
      return execFileSync('tmux', ['capture-pane', '-p', '-t', this.name], { encoding: 'utf8' });
    } catch {
      return '';
    }
  }

  /** The screen and everything scrolled off above it. */
  history(): string {
    try {
      return execFileSync('tmux', ['capture-pane', '-p', '-S', '-', '-t', this.name], {
        encoding: 'utf8',
      });
    } catch {
      return '';
    }
  }

  keys(...keys: string[]): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, ...keys]);
  }

  /** Types a line into the console's input line: `t`, the text, then Enter on its own. */
  typeLine(text: string): void {
    this.keys('t');
    this.keys('-l', text);
    this.keys('Enter');
  }

  /** Polls the screen until `test` holds; fails with the last screen after `ms`. */
  async waitFor(test: (screen: string) => boolean, ms: number, what: string): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const screen = this.screen();
      if (test(screen)) return screen;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The command's exit status once it has exited (polls the file the shell writes). */
  async exitCode(ms: number): Promise<number> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (existsSync(this.#exitFile)) {
        const text = readFileSync(this.#exitFile, 'utf8').trim();
        if (text !== '') return Number(text);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${this.name} did not exit within ${ms} ms; screen:\n${this.screen()}`);
  }

  kill(): void {
    try {
      execFileSync('tmux', ['kill-session', '-t', this.name], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}
