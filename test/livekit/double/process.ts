/**
 * Starts the LiveKit double in a child process (process-main.ts) and controls it from outside:
 * `freeze()` stops the process (SIGSTOP), as a hung server or a lost host looks to a client;
 * `thaw()` lets it go on; `stop()` ends it. Test-only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface DoubleProcess {
  readonly url: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./process-main.ts', import.meta.url));

export async function startDoubleProcess(
  opts: { rooms?: string[]; participants?: string[] } = {},
): Promise<DoubleProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, JSON.stringify(opts)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const settings = await firstLine(child);
  let frozen = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    ...settings,
    freeze() {
      frozen = true;
      child.kill('SIGSTOP');
    },
    thaw() {
      frozen = false;
      child.kill('SIGCONT');
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // A stopped process cannot run its SIGTERM handler: it is killed outright.
      child.kill(frozen ? 'SIGKILL' : 'SIGTERM');
      const late = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(late);
    },
  };
}

function firstLine(
  child: ChildProcess,
): Promise<{ url: string; apiKey: string; apiSecret: string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the double process did not start within 20 s'));
    }, 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const end = text.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      resolve(JSON.parse(text.slice(0, end)));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the double process exited (${code}) before it started`));
    });
  });
}
