/**
 * CI reports: JUnit XML checked against what the Ant/Jenkins JUnit schema requires, GitHub
 * annotations with file:line, and `--events`/`--trace` for several files written into a
 * folder, one file per session file. Runs the command in this process (workers via tsx).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/replay/command.js';
import { parseXml, type XmlElement } from '../support/xml.js';

const weather = 'test/replay/fixtures/e2e/weather.yaml';
const crash = 'test/replay/fixtures/hostile/exit-in-tool.yaml';
const TIMEOUT = '30s';

function captureIO() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

let dir: string;
let failing: string;
let invalid: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'voxagent-reporters-'));
  const agent = resolve('test/replay/fixtures/e2e/weather-agent.ts');
  const text = (await readFile(weather, 'utf8')).replace('./weather-agent.ts', agent);
  failing = join(dir, 'failing.yaml');
  // Line 30: the second audio item now expects partial playback, which does not happen.
  await writeFile(failing, text.replace('Paris., played: full', 'Paris., played: partial'));
  invalid = join(dir, 'invalid.yaml');
  await writeFile(invalid, `agent: ${agent}\nuser:\n  - { speech: hi, at: soon }\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const children = (e: XmlElement, name: string) => e.children.filter((c) => c.name === name);
const ISO_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
const DECIMAL = /^\d+(\.\d+)?$/;

/** The required parts of the JUnit schema (junit-10.xsd, as Jenkins and GitLab read it). */
function assertJUnitSchema(root: XmlElement): void {
  expect(root.name).toBe('testsuites');
  for (const suite of root.children) {
    expect(suite.name).toBe('testsuite');
    for (const attr of ['name', 'timestamp', 'hostname', 'tests', 'failures', 'errors', 'time']) {
      expect(suite.attrs, `testsuite@${attr}`).toHaveProperty(attr);
    }
    expect(suite.attrs.id).toMatch(/^\d+$/);
    expect(suite.attrs.package).toBeTruthy();
    expect(suite.attrs.timestamp).toMatch(ISO_LOCAL);
    expect(suite.attrs.hostname!.length).toBeGreaterThan(0);
    expect(suite.attrs.time).toMatch(DECIMAL);
    // Element order: properties, testcase*, system-out, system-err.
    const names = suite.children.map((c) => c.name);
    expect(names[0]).toBe('properties');
    expect(names.slice(-2)).toEqual(['system-out', 'system-err']);
    expect(new Set(names.slice(1, -2))).toEqual(new Set(['testcase']));
    for (const p of children(suite.children[0]!, 'property')) {
      expect(Object.keys(p.attrs).sort()).toEqual(['name', 'value']);
    }
    const cases = children(suite, 'testcase');
    expect(Number(suite.attrs.tests)).toBe(cases.length);
    const count = (kind: string) => cases.filter((c) => children(c, kind).length > 0).length;
    expect(Number(suite.attrs.failures)).toBe(count('failure'));
    expect(Number(suite.attrs.errors)).toBe(count('error'));
    for (const c of cases) {
      expect(c.attrs.name).toBeTruthy();
      expect(c.attrs.classname).toBeTruthy();
      expect(c.attrs.time).toMatch(DECIMAL);
      expect(c.children.length).toBeLessThanOrEqual(1);
      for (const problem of c.children) {
        expect(['failure', 'error']).toContain(problem.name);
        expect(problem.attrs.type).toBeTruthy();
      }
    }
  }
}

describe('--reporter junit', () => {
  it('writes JUnit XML with one suite per file and a case per expectation', async () => {
    const { out, err, io } = captureIO();
    const code = await replayCommand(
      [weather, failing, invalid, crash],
      { reporter: 'junit', timeout: TIMEOUT },
      io,
    );
    expect(code).toBe(2);
    expect(out).toHaveLength(1);
    const root = parseXml(out[0]!);
    assertJUnitSchema(root);
    const [pass, fail, bad, crashed] = root.children;
    expect(pass!.attrs).toMatchObject({ name: 'weather', failures: '0', errors: '0' });
    // The run itself, four events, history, audio and the three default checks.
    expect(pass!.attrs.tests).toBe('10');
    expect(fail!.attrs).toMatchObject({ name: 'failing', failures: '1', errors: '0' });
    const failed = children(fail!, 'testcase').find((c) => c.children.length > 0)!;
    expect(failed.attrs.name).toMatch(/^audio is: .* \[line 28\]$/);
    expect(failed.children[0]!.attrs.message).toMatch(/^item 2 .* does not match/);
    expect(bad!.attrs).toMatchObject({ name: 'invalid', tests: '1', errors: '1' });
    expect(children(children(bad!, 'testcase')[0]!, 'error')[0]!.attrs).toMatchObject({
      type: 'InvalidSessionFile',
      message: expect.stringContaining('invalid.yaml:3:'),
    });
    expect(crashed!.attrs).toMatchObject({ name: 'exit-in-tool', errors: '1' });
    expect(err.at(-1)).toBe('1 passed, 3 failed (4 session files, 1 invalid, 1 crashed)');
  }, 120_000);
});

describe('--reporter github', () => {
  it('adds an ::error annotation with file and line for each failure', async () => {
    const { out, io } = captureIO();
    expect(
      await replayCommand([failing, crash], { reporter: 'github', timeout: TIMEOUT }, io),
    ).toBe(1);
    const annotations = out.filter((l) => l.startsWith('::error '));
    expect(annotations[0]).toMatch(
      new RegExp(
        `^::error file=${failing.replace(/[/.]/g, '\\$&')},line=28,title=expectation failed%3A audio is%3A .*::item 2 \\(.*\\) does not match; audio was: `,
      ),
    );
    // A crash in agent code is annotated on the session file and where the agent exited.
    expect(annotations.slice(1)).toEqual([
      expect.stringMatching(
        /^::error file=test\/replay\/fixtures\/hostile\/exit-in-tool.yaml,line=1,title=replay could not run::agent code called process.exit\(0\)/,
      ),
      expect.stringMatching(
        /^::error file=test\/replay\/fixtures\/hostile\/tools.ts,line=12,title=replay could not run::/,
      ),
    ]);
    expect(out.at(-1)).toBe('0 passed, 2 failed (2 session files, 1 crashed)');
  }, 120_000);
});

describe('--events and --trace with several files', () => {
  it('write one file per session file into the folder', async () => {
    const out = join(dir, 'outputs');
    const { io } = captureIO();
    const code = await replayCommand(
      [weather, failing],
      { events: join(out, 'events'), trace: join(out, 'traces'), timeout: TIMEOUT },
      io,
    );
    expect(code).toBe(1);
    expect((await readdir(join(out, 'events'))).sort()).toEqual(['failing.jsonl', 'weather.jsonl']);
    expect((await readdir(join(out, 'traces'))).sort()).toEqual([
      'failing.trace.json',
      'weather.trace.json',
    ]);
  }, 120_000);

  it('refuse a name that looks like a file, or is one, before running anything', async () => {
    const { err, io } = captureIO();
    expect(await replayCommand([weather, failing], { events: join(dir, 'all.jsonl') }, io)).toBe(2);
    expect(err).toEqual([
      `--events ${join(dir, 'all.jsonl')}: several session files write one file each into a folder; name a folder (e.g. ${join(dir, 'all')}/)`,
    ]);
    const { err: err2, io: io2 } = captureIO();
    expect(await replayCommand([weather, failing], { trace: failing }, io2)).toBe(2);
    expect(err2).toEqual([
      `--trace ${failing}: several session files write one file each into a folder, and ${failing} is a file`,
    ]);
  });
});
