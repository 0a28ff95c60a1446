/**
 * `voxagent replay` as a CI step runs it: the built CLI, its exit code, stdout and stderr.
 * A file whose agent exits the process fails alone; the summary prints; no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(join(root, 'dist/src/cli/main.js'));
if (!built && process.env.CI) throw new Error('the CLI is not built (npm run build)');

function voxagent(args: string[]) {
  const run = spawnSync(process.execPath, [join(root, 'bin/voxagent.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, OPENAI_API_KEY: '' },
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const hostile = 'test/replay/fixtures/hostile';

describe.skipIf(!built)('voxagent replay (built CLI)', () => {
  it('exits 1 when a file fails, after every file ran and the summary printed', () => {
    const run = voxagent(['replay', `${hostile}/exit-in-tool.yaml`, `${hostile}/good.yaml`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `✗ ${hostile}/exit-in-tool.yaml: agent code called process.exit(0) at ${hostile}/tools.ts:12:11 while running`,
    );
    expect(run.stdout).toMatch(new RegExp(`^✓ ${hostile}/good.yaml `, 'm'));
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
      '1 passed, 1 failed (2 session files, 1 crashed)',
    );
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 0 when every file passes', () => {
    const run = voxagent(['replay', 'sessions/seed-000-agenttask-in-tool.yaml']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('latency: 1 answered turn(s); slowest turn_1: e2e 550ms =');
  });

  it('documents the bound, the reporters and the output folders in --help', () => {
    const run = voxagent(['replay', '--help']);
    expect(run.code).toBe(0);
    // Commander wraps the help to the terminal: compare it as one line.
    const help = run.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--timeout <duration> wall-clock bound per session file');
    expect(help).toContain('--reporter <name>');
    expect(help).toContain('for several, a folder with one <name>.jsonl each');
    expect(help).toContain('for several, a folder with one <name>.trace.json each');
    expect(help).toContain('--judge-llm <provider[:model]>');
  });
});
