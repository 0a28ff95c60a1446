/**
 * `voxagent replay` on hostile agent code: each session file runs in its own worker thread
 * under a wall-clock bound, so a file that exits, throws from a host timer, leaves a
 * rejection unhandled, never finishes importing, busy-loops or backtracks forever fails
 * alone, with one located line, and the other files still run and are summarised.
 * Runs the command in this process; its workers load the TypeScript sources through tsx.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/replay/command.js';

const hostile = 'test/replay/fixtures/hostile';
/** Generous for files that finish (a worker loads the sources through tsx); the hanging ones take all of it. */
const TIMEOUT = '15s';

function captureIO() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

describe('replaying hostile agent code', () => {
  const run = (async () => {
    const { out, err, io } = captureIO();
    const code = await replayCommand([hostile], { timeout: TIMEOUT, jobs: 4 }, io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  })();

  it('fails each bad file with one located line, runs the good one, summarises, exits 1', async () => {
    const { code, out } = await run;
    const f = (name: string) => `${hostile}/${name}.yaml`;
    const lines = out.split('\n');
    expect(lines).toContain(
      `✗ ${f('exit-at-import')}: agent code called process.exit(0) at ${hostile}/exit-at-import.ts:3:9 while importing the agent module`,
    );
    expect(lines).toContain(
      `✗ ${f('exit-in-tool')}: agent code called process.exit(0) at ${hostile}/tools.ts:12:11 while running`,
    );
    for (const name of ['never-import', 'busy-import']) {
      expect(lines).toContain(
        `✗ ${f(name)}: did not finish within 15s (--timeout): stopped while importing the agent module`,
      );
    }
    for (const name of ['busy-tool', 'catastrophic-regex']) {
      expect(lines).toContain(
        `✗ ${f(name)}: did not finish within 15s (--timeout): stopped while running (at 100ms of virtual time, after 1 user turns)`,
      );
    }
    expect(lines).toContain(
      `✗ ${f('catastrophic-expectation')}: did not finish within 15s (--timeout): stopped while checking the expectations`,
    );
    expect(lines).toContain(
      `  ! uncaught exception: Error: boom from a timer (at ${hostile}/tools.ts:17:11)`,
    );
    expect(lines).toContain(
      `  ! unhandled rejection: Error: nobody handles this (at ${hostile}/tools.ts:23:23)`,
    );
    expect(out).toMatch(new RegExp(`^✓ ${f('good')} `, 'm'));
    expect(lines.at(-1)).toBe('1 passed, 9 failed (10 session files, 2 crashed, 5 timed out)');
    expect(out).not.toMatch(/\n\s+at /);
    expect(code).toBe(1);
  }, 120_000);

  it('reports them as JSON lines too', async () => {
    const { out, err, io } = captureIO();
    const code = await replayCommand(
      [`${hostile}/exit-in-tool.yaml`, `${hostile}/good.yaml`],
      { json: true, timeout: TIMEOUT },
      io,
    );
    expect(code).toBe(1);
    const [exited, good] = out.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(exited).toMatchObject({
      file: `${hostile}/exit-in-tool.yaml`,
      passed: false,
      crashed: true,
    });
    expect(good).toMatchObject({ file: `${hostile}/good.yaml`, passed: true });
    expect(err.at(-1)).toBe('1 passed, 1 failed (2 session files, 1 crashed)');
  }, 60_000);
});

describe('replaying bad input', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('rejects an alias bomb, a 50 MB file and absurd numbers with file:line, and still runs the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'voxagent-bad-input-'));
    dirs.push(dir);
    const huge = join(dir, 'huge.yaml');
    await writeFile(huge, `agent: ./a.ts\ndescription: "${'x'.repeat(50 * 1024 * 1024)}"\n`);
    const files = [
      'test/replay/fixtures/limits/alias-bomb.yaml',
      huge,
      'test/replay/fixtures/limits/absurd-numbers.yaml',
      `${hostile}/good.yaml`,
    ];
    const { out, err, io } = captureIO();
    const started = performance.now();
    const code = await replayCommand(files, { timeout: TIMEOUT }, io);
    const errors = err.join('\n');
    expect(errors).toContain(
      'test/replay/fixtures/limits/alias-bomb.yaml:5:10: x.b[0]: YAML aliases expand too much',
    );
    expect(errors).toContain(
      `${huge}:1:1: the file is 50.0 MB; session files are limited to 8.0 MB`,
    );
    expect(errors).toContain(
      'test/replay/fixtures/limits/absurd-numbers.yaml:11:10: run.limit: 1e+300 is over the limit of 24h for any duration',
    );
    expect(errors).not.toMatch(/\n\s+at /);
    expect(out.join('\n')).toMatch(new RegExp(`^✓ ${hostile}/good.yaml `, 'm'));
    expect(out.at(-1)).toBe('1 passed, 3 failed (4 session files, 3 invalid)');
    expect(code).toBe(2);
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 90_000);
});
