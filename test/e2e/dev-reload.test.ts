/**
 * `voxagent dev` in a real terminal (tmux), in text mode: hot reload when the agent or a
 * file it imports changes, a syntax error shown in place while the old session keeps
 * running, and `--record` writing a file that `voxagent replay` passes.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

function start(args: string): TmuxProcess {
  const name = `vx-reload-${process.pid}-${n}`;
  proc = new TmuxProcess(
    name,
    `node ${join(root, 'bin/voxagent.js')} dev --text ${args}`,
    dir,
    join(dir, 'exit-code'),
  );
  return proc;
}

describe.skipIf(missing !== null)('voxagent dev in a terminal', () => {
  it('reloads when an imported file changes, shows a syntax error in place, keeps running', async () => {
    const p = start('agent.ts');
    await p.waitFor(
      (s) => s.includes('agent Reloader') && s.includes('running'),
      15_000,
      'the agent to start',
    );
    p.typeLine('hello');
    await p.waitFor((s) => s.includes('Version one speaking.'), 10_000, 'the first reply');

    writeFileSync(join(dir, 'reply.ts'), `export const REPLY = 'Version two speaking.';\n`);
    await p.waitFor(
      (s) => /reloaded after .*reply\.ts changed/.test(s),
      10_000,
      'the reload notice',
    );
    p.typeLine('hello again');
    await p.waitFor(
      (s) => s.includes('Version two speaking.'),
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
      (s) => (s.match(/Version two speaking\./g) ?? []).length >= 2,
      10_000,
      'the old session answering',
    );

    writeFileSync(join(dir, 'agent.ts'), agentSource('Fixed'));
    await p.waitFor((s) => s.includes('agent Fixed'), 10_000, 'the fixed agent');
    p.keys('q');
    expect(await p.exitCode(3000)).toBe(0);
  }, 90_000);

  it('an agent broken at start is shown in place, and fixing it starts the session', async () => {
    writeFileSync(join(dir, 'agent.ts'), `${agentSource('Reloader')}\nexport const broken = ;\n`);
    const p = start('agent.ts');
    await p.waitFor((s) => /agent\.ts:\d+:\d+/.test(s), 15_000, 'the error in place');
    writeFileSync(join(dir, 'agent.ts'), agentSource('Repaired'));
    await p.waitFor(
      (s) => s.includes('agent Repaired') && s.includes('running'),
      15_000,
      'the session',
    );
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
    await p.waitFor((s) => s.includes('Version one speaking.'), 10_000, 'the reply');
    p.typeLine('and again');
    await p.waitFor(
      (s) => (s.match(/Version one speaking\./g) ?? []).length >= 2,
      10_000,
      'the second reply',
    );
    p.keys('q');
    expect(await p.exitCode(5000)).toBe(0);
    const out = execFileSync('node', [join(root, 'bin/voxagent.js'), 'replay', file], {
      encoding: 'utf8',
      cwd: dir,
    });
    expect(out).toMatch(/1 passed, 0 failed/);
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
    const out = execFileSync('node', [join(root, 'bin/voxagent.js'), 'replay', file], {
      encoding: 'utf8',
      cwd: dir,
    });
    expect(out).toMatch(/1 passed, 0 failed/);
  }, 90_000);
});
