/**
 * A user who installed voxagent without naudiodon (an optional peer dependency): `voxagent
 * dev` says in one line what is missing and how to add it, then runs in text mode; `voxagent
 * devices` says the same and exits 1. naudiodon is hidden with test/support/hide-packages.mjs
 * (through NODE_OPTIONS, so the audio child sees it too). Runs the built CLI in tmux.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TmuxProcess, terminalAvailable } from './tmux.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const missing = terminalAvailable();
if (missing && process.env.CI) throw new Error(`end-to-end tests need: ${missing}`);
const withoutNaudiodon = {
  NODE_OPTIONS: `--import=${join(root, 'test', 'support', 'hide-packages.mjs')}`,
  VOXAGENT_HIDE_PACKAGES: 'naudiodon',
  OPENAI_API_KEY: '',
  DEEPGRAM_API_KEY: '',
};
const NOT_INSTALLED =
  'naudiodon is not installed: `npm install naudiodon` adds the microphone and speakers';

let dir: string | undefined;
let proc: TmuxProcess | undefined;
afterEach(() => {
  proc?.kill();
  proc = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe.skipIf(missing !== null)('without naudiodon', () => {
  it('voxagent dev says what is missing in one line and runs in text mode', async () => {
    dir = join(root, 'test', 'e2e', `.tmp-no-audio-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    proc = new TmuxProcess(
      `vx-no-audio-${process.pid}`,
      `node ${join(root, 'bin', 'voxagent.js')} dev`,
      dir,
      join(dir, 'exit-code'),
      withoutNaudiodon,
    );
    const screen = await proc.waitFor(
      (s) => s.replace(/\n/g, '').includes(NOT_INSTALLED) && s.includes('mode text'),
      30_000,
      'the note and text mode',
    );
    expect(screen).toMatch(/note: no audio device \(naudiodon is not installed/);
    proc.typeLine('what programs do you have?');
    await proc.waitFor((s) => s.includes('Sure, let me check our programs.'), 20_000, 'a reply');
    proc.keys('q');
    expect(await proc.exitCode(10_000)).toBe(0);
  }, 90_000);

  it('voxagent devices says the same and exits 1', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(root, 'bin', 'voxagent.js'), 'devices'],
        { env: { ...process.env, ...withoutNaudiodon }, timeout: 30_000 },
        (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`voxagent: cannot list audio devices: ${NOT_INSTALLED}`);
  }, 40_000);
});
