/**
 * Mistakes on the command line: one clear line on stderr, exit code 2, no stack trace, and
 * nothing drawn. Runs the built CLI as a newcomer would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(join(root, 'dist/src/cli/main.js'));
if (!built && process.env.CI) throw new Error('the CLI is not built (npm run build)');

function voxagent(args: string[], env: Record<string, string | undefined> = {}) {
  const clean = { ...process.env, OPENAI_API_KEY: undefined, DEEPGRAM_API_KEY: undefined, ...env };
  const run = spawnSync(process.execPath, [join(root, 'bin/voxagent.js'), ...args], {
    encoding: 'utf8',
    env: clean as NodeJS.ProcessEnv,
    timeout: 20_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr.trim() };
}

describe.skipIf(!built)('command-line mistakes', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'an agent file that does not exist',
      ['dev', '--text', 'nope/agent.ts'],
      /^voxagent: agent file not found: nope\/agent\.ts$/,
    ],
    [
      '--llm openai without a key',
      ['dev', '--text', '--llm', 'openai'],
      /^voxagent: OPENAI_API_KEY is not set: export it, or use --llm demo \(offline\)$/,
    ],
    [
      '--stt deepgram without a key',
      ['dev', '--text', '--stt', 'deepgram'],
      /^voxagent: DEEPGRAM_API_KEY is not set: export it, or type your turns instead/,
    ],
    [
      'an unknown provider',
      ['dev', '--tts', 'loud'],
      /error: option '--tts <provider>' argument 'loud' is invalid/,
    ],
    ['an unknown command', ['develop'], /error: unknown command 'develop'/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: one line, exit 2`, () => {
      const run = voxagent(args);
      expect(run.code).toBe(2);
      expect(run.stderr.split('\n')[0]).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('a malformed session file names file, line, column and field; exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'voxagent-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'agent: ./agent.ts\nuser:\n  - speech: hello\n    at: soon\n');
    const run = voxagent(['replay', file]);
    expect(run.code).toBe(2);
    expect(run.stderr + run.stdout).toMatch(/bad\.yaml:4:\d+: .*at/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
