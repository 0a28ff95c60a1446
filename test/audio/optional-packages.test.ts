/**
 * naudiodon, onnxruntime-web and @ricky0123/vad-web are optional peer dependencies: a user
 * who did not install them gets one line naming the package and the command that adds it,
 * and voxagent falls back (text mode; the energy VAD). The repo's own install has all of
 * them, so these tests hide them with a resolve hook (test/support/hide-packages.mjs) that
 * fails exactly as Node does for a package that is not there.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDeviceAudio } from '../../src/audio/device-audio.js';
import {
  importOptional,
  MissingPackageError,
  OPTIONAL_PACKAGES,
} from '../../src/audio/optional-package.js';

const HIDE = fileURLToPath(new URL('../support/hide-packages.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Environment in which `packages` cannot be found (NODE_OPTIONS reaches child processes). */
function hiding(...packages: string[]): Record<string, string> {
  return { NODE_OPTIONS: `--import=${HIDE}`, VOXAGENT_HIDE_PACKAGES: packages.join(',') };
}

/** Runs `createOfflineVAD()` in a fresh process and returns what it chose and why. */
function offlineVadIn(env: Record<string, string>): Promise<string> {
  const script = [
    "import { createOfflineVAD } from './src/audio/offline-vad.ts';",
    'const made = await createOfflineVAD();',
    "console.log(made.kind + ' | ' + (made.kind === 'energy' ? made.reason : ''));",
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(stderr || String(error))) : resolve(stdout.trim()),
    );
  });
}

describe('importOptional', () => {
  it('turns a missing package into one line with the command that adds it', async () => {
    const error = await importOptional('naudiodon', async () => {
      const missing = new Error(`Cannot find package 'naudiodon' imported from /x/device-child.js`);
      throw Object.assign(missing, { code: 'ERR_MODULE_NOT_FOUND' });
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingPackageError);
    expect((error as Error).message).toBe(
      'naudiodon is not installed: `npm install naudiodon` adds the microphone and speakers; it compiles with node-gyp and needs a C++ toolchain',
    );
  });

  it('tells a package that failed to load (an unbuilt addon) from a missing one', async () => {
    const error = await importOptional('naudiodon', async () => {
      throw new Error('Could not locate the bindings file. Tried:\n → build/naudiodon.node');
    }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(MissingPackageError);
    expect((error as Error).message).toBe(
      'naudiodon is installed but failed to load (Could not locate the bindings file. Tried:); reinstall it with `npm install naudiodon`',
    );
  });

  it('does not take a missing dependency of the package for the package itself', async () => {
    const error = await importOptional('onnxruntime-web', async () => {
      const inner = new Error(`Cannot find package 'protobufjs' imported from /x/ort.mjs`);
      throw Object.assign(inner, { code: 'ERR_MODULE_NOT_FOUND' });
    }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(MissingPackageError);
    expect((error as Error).message).toMatch(/^onnxruntime-web is installed but failed to load/);
  });
});

describe('without the optional packages', () => {
  it('the device child says naudiodon is missing and how to add it (dev then uses text mode)', async () => {
    const error = await openDeviceAudio({ env: hiding('naudiodon'), startTimeoutMs: 30_000 }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('AudioDeviceError');
    expect((error as Error).message).toBe(new MissingPackageError('naudiodon').message);
  });

  it.each([['onnxruntime-web'], ['@ricky0123/vad-web']])(
    'createOfflineVAD falls back to the energy VAD without %s, saying how to add Silero',
    async (name) => {
      const out = await offlineVadIn(hiding(name));
      const { install } = OPTIONAL_PACKAGES['onnxruntime-web'];
      expect(out).toBe(
        `energy | using the energy VAD: Silero VAD is not installed (\`${install}\` adds it, about 155 MB)`,
      );
    },
  );

  it('createOfflineVAD uses Silero when both are installed (same process set-up)', async () => {
    expect(await offlineVadIn(hiding())).toBe('silero |');
  });
});
