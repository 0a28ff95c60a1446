/**
 * `voxagent dev` in a real terminal (tmux), in text mode: hot reload when the agent or a
 * file it imports changes (one screen: the old frame is gone, the new session is announced),
 * a syntax error or a process.exit() in the new build shown in place while the old session
 * keeps running, the screen at 80 × 24, and `--record` writing a file that `voxagent replay`
 * passes. Each run logs under its own TMPDIR, where the test reads the log file.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../livekit/helpers.js';
import { TmuxProcess, terminalAvailable } from './tmux.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const missing = terminalAvailable();
if (missing && process.env.CI) throw new Error(`end-to-end tests need: ${missing}`);

const agentSource = (name: string) => `import { Agent } from 'voxagent';
import { FakeLLM, FakeTTS } from 'voxagent/testing';
import { REPLY } from './reply.js';

export default () => new Agent({ name: '${name}', instructions: 'Answer.' });
export const demo = {
  llm: () => new FakeLLM({ respond: () => ({ text: REPLY, ttftMs: 50 }) }),
  tts: () => new FakeTTS({ msPerChar: 15 }),
};
`;

let dir: string;
let proc: TmuxProcess | undefined;
let n = 0;

beforeEach(() => {
  dir = join(root, 'test', 'e2e', `.tmp-${process.pid}-${++n}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'reply.ts'), `export const REPLY = 'Version one speaking.';\n`);
  writeFileSync(join(dir, 'agent.ts'), agentSource('Reloader'));
});
afterEach(() => {
  proc?.kill();
  proc = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function start(args: string, size?: { columns: number; rows: number }): TmuxProcess {
  const name = `vx-reload-${process.pid}-${n}`;
  proc = new TmuxProcess(
    name,
    `node ${join(root, 'bin/voxagent.js')} dev --text ${args}`,
    dir,
    join(dir, 'exit-code'),
    { TMPDIR: dir },
    size,
  );
  return proc;
}

/** The run's log file, as text (empty until it exists). */
function logText(): string {
  const logs = join(dir, 'voxagent', 'logs');
  if (!existsSync(logs)) return '';
  return readdirSync(logs)
    .map((f) => readFileSync(join(logs, f), 'utf8'))
    .join('');
}

/** How many agent turns in the Conversation panel say `text`. */
const said = (screen: string, text: string) =>
  screen.split('\n').filter((l) => l.startsWith(`agent: ${text}`)).length;

/** Header lines in the whole terminal history: more than one means an old frame was left. */
const headers = (history: string) => (history.match(/^voxagent dev · agent /gm) ?? []).length;

describe.skipIf(missing !== null)('voxagent dev in a terminal', () => {
  it('reloads when an imported file changes, shows a syntax error in place, keeps running', async () => {
    const p = start('agent.ts');
    await p.waitFor(
      (s) => s.includes('agent Reloader') && s.includes('running'),
      15_000,
      'the agent to start',
    );
    p.typeLine('hello');
    await p.waitFor((s) => said(s, 'Version one speaking.') === 1, 10_000, 'the first reply');

    writeFileSync(join(dir, 'reply.ts'), `export const REPLY = 'Version two speaking.';\n`);
    const reloaded = await p.waitFor(
      (s) => /↻ session 2 · reloaded after .*reply\.ts changed/.test(s),
      10_000,
      'the reload notice',
    );
    // One screen: the first session's conversation is gone, and no old frame is left above.
    expect(reloaded).not.toContain('Version one speaking.');
    expect(headers(p.history())).toBe(1);
    p.typeLine('hello again');
    await p.waitFor(
      (s) => said(s, 'Version two speaking.') === 1,
      10_000,
      'the reply from the new code',
    );

    writeFileSync(join(dir, 'agent.ts'), `${agentSource('Reloader')}\nexport const broken = ;\n`);
    const screen = await p.waitFor(
      (s) => /agent\.ts:\d+:\d+/.test(s),
      10_000,
      'the syntax error in place',
    );
    expect(screen).toMatch(/Unexpected ";"/);
    p.typeLine('still there?');
    await p.waitFor(
      (s) => said(s, 'Version two speaking.') === 2,
      10_000,
      'the old session answering',
    );

    writeFileSync(join(dir, 'agent.ts'), agentSource('Fixed'));
    await p.waitFor((s) => s.includes('agent Fixed'), 10_000, 'the fixed agent');
    expect(headers(p.history())).toBe(1);
    p.keys('q');
    expect(await p.exitCode(3000)).toBe(0);
  }, 90_000);

  it('a new build that calls process.exit() is reported and the previous one keeps running', async () => {
    const p = start('agent.ts');
    await p.waitFor((s) => s.includes('agent Reloader') && s.includes('running'), 15_000, 'start');
    writeFileSync(join(dir, 'agent.ts'), `process.exit(0);\n${agentSource('Quitter')}`);
    const screen = await p.waitFor(
      (s) => s.includes('process.exit(0) while loading'),
      10_000,
      'the exit reported in place',
    );
    expect(screen).toContain('agent Reloader');
    expect(logText()).toMatch(
      /error +agent load failed: .*called process\.exit\(0\) while loading/,
    );
    p.typeLine('are you still there?');
    await p.waitFor(
      (s) => said(s, 'Version one speaking.') === 1,
      10_000,
      'the old build answering',
    );

    // A timer left behind by a build that loads: ignored and reported, dev goes on.
    writeFileSync(
      join(dir, 'agent.ts'),
      `setTimeout(() => process.exit(0), 300);\n${agentSource('Later')}`,
    );
    await p.waitFor(
      (s) => s.includes('called process.exit(0): ignored'),
      10_000,
      'the late exit reported',
    );
    expect(logText()).toMatch(/warn +the agent code called process\.exit\(0\): ignored/);
    p.typeLine('and now?');
    await p.waitFor(
      (s) => said(s, 'Version one speaking.') === 1 && s.includes('agent Later'),
      10_000,
      'the new build answering',
    );
    p.keys('q');
    expect(await p.exitCode(3000)).toBe(0);
  }, 60_000);

  it('a process warning of the agent code goes to the log, not over the screen', async () => {
    writeFileSync(
      join(dir, 'agent.ts'),
      `import { EventEmitter } from 'node:events';
const leaky = new EventEmitter();
for (let i = 0; i < 11; i++) leaky.on('tick', () => {});
${agentSource('Leaky')}`,
    );
    const p = start('agent.ts');
    await p.waitFor((s) => s.includes('agent Leaky') && s.includes('running'), 15_000, 'start');
    await eventually(
      () => /warn +MaxListenersExceededWarning: Possible EventEmitter memory leak/.test(logText()),
      'the warning in the log',
    );
    const screen = p.history();
    expect(screen).not.toContain('MaxListenersExceededWarning');
    expect(headers(screen)).toBe(1);
    p.keys('l');
    await p.waitFor((s) => s.includes('MaxListenersExceededWarning'), 5000, 'it in the log panel');
    p.keys('q');
    expect(await p.exitCode(3000)).toBe(0);
  }, 60_000);

  it('at 80 × 24 the header stays on top while it talks, logs and reloads', async () => {
    const p = start('agent.ts', { columns: 80, rows: 24 });
    const top = (s: string) => s.split('\n')[0] ?? '';
    await p.waitFor(
      (s) => /^voxagent dev · agent Reloader · running/.test(top(s)),
      15_000,
      'start',
    );
    const lines = ['hello', 'tell me more', 'and more'];
    for (const [i, line] of lines.entries()) {
      p.typeLine(line);
      await p.waitFor((s) => said(s, 'Version one speaking.') === i + 1, 10_000, `reply ${i + 1}`);
    }
    p.keys('l');
    await p.waitFor((s) => s.includes('Log (full log:'), 5000, 'the log panel');
    writeFileSync(join(dir, 'reply.ts'), `export const REPLY = 'Version two speaking.';\n`);
    const after = await p.waitFor((s) => s.includes('↻ session 2'), 10_000, 'the reload');
    expect(top(after)).toMatch(/^voxagent dev · agent Reloader · running/);
    expect(after.split('\n').filter((l) => l.trim() !== '').length).toBeLessThan(24);
    expect(headers(p.history())).toBe(1);
    p.keys('q');
    expect(await p.exitCode(3000)).toBe(0);
  }, 60_000);

  it('--record writes a session file that voxagent replay passes', async () => {
    // In a folder of its own: the file must name the agent relative to itself.
    mkdirSync(join(dir, 'recordings'));
    const file = join(dir, 'recordings', 'recorded.yaml');
    const p = start(`agent.ts --record ${file}`);
    await p.waitFor((s) => s.includes('running'), 15_000, 'the agent to start');
    p.typeLine('hello');
    await p.waitFor((s) => said(s, 'Version one speaking.') === 1, 10_000, 'the reply');
    p.typeLine('and again');
    await p.waitFor((s) => said(s, 'Version one speaking.') === 2, 10_000, 'the second reply');
    p.keys('q');
    expect(await p.exitCode(5000)).toBe(0);
    expect(replayOf(file)).toMatch(/1 passed, 0 failed/);
  }, 90_000);

  it('--record across a hot reload and the s key writes one file that replay passes', async () => {
    mkdirSync(join(dir, 'recordings'));
    const file = join(dir, 'recordings', 'reloaded.yaml');
    const p = start(`agent.ts --record ${file}`);
    await p.waitFor((s) => s.includes('running'), 15_000, 'the agent to start');
    p.typeLine('hello');
    await p.waitFor((s) => s.includes('Version one speaking.'), 10_000, 'the first reply');
    p.keys('s');
    p.keys('-l', 'Said from the console.');
    p.keys('Enter');
    await p.waitFor((s) => s.includes('Said from the console.'), 10_000, 'the console line');
    writeFileSync(join(dir, 'reply.ts'), `export const REPLY = 'Version two speaking.';\n`);
    await p.waitFor((s) => /reloaded after .*reply\.ts changed/.test(s), 10_000, 'the reload');
    p.typeLine('hello again');
    await p.waitFor((s) => s.includes('Version two speaking.'), 10_000, 'the new reply');
    p.keys('q');
    expect(await p.exitCode(5000)).toBe(0);
    const recorded = readFileSync(file, 'utf8');
    expect(recorded).toMatch(/- say: Said from the console\.\n/);
    expect(recorded).toMatch(/- reload: true\n/);
    expect(replayOf(file)).toMatch(/1 passed, 0 failed/);
  }, 90_000);
});

/** `voxagent replay <file>`'s report; if it fails, an error with its output and the file. */
function replayOf(file: string): string {
  try {
    return execFileSync('node', [join(root, 'bin/voxagent.js'), 'replay', file], {
      encoding: 'utf8',
      cwd: dir,
    });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`replay failed:\n${stdout}\n${stderr}\n${readFileSync(file, 'utf8')}`);
  }
}

describe.skipIf(!existsSync(join(root, 'dist', 'src', 'cli', 'main.js')))(
  'voxagent dev without a terminal',
  () => {
    it('--no-watch with an agent that fails to load: one line and a non-zero exit', async () => {
      writeFileSync(join(dir, 'agent.ts'), `${agentSource('Broken')}\nexport const broken = ;\n`);
      const child = spawn(
        process.execPath,
        [join(root, 'bin/voxagent.js'), 'dev', '--text', '--no-watch', 'agent.ts'],
        {
          cwd: dir,
          env: { ...process.env, CI: 'true', TMPDIR: dir },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
      });
      const exited = new Promise<number | null>((resolve) =>
        child.on('close', (code) => resolve(code)),
      );
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      expect(code, stderr).toBe(2);
      const lines = stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^voxagent: .*agent\.ts:\d+:\d+: .*Unexpected ";"/);
    }, 30_000);
  },
);
