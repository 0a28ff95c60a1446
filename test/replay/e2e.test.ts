import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventsToJsonl } from '../../src/replay/canonical.js';
import { replayCommand } from '../../src/replay/command.js';
import { runSessionFile, runSessionScript } from '../../src/replay/runner.js';
import { Agent } from '../../src/runtime/agents/agent.js';

const weather = 'test/replay/fixtures/e2e/weather.yaml';

function captureIO() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

describe('replaying a session file end to end', () => {
  it('runs the agent on the virtual clock and passes its expectations', async () => {
    const result = await runSessionFile(weather);
    expect(result.errors).toEqual([]);
    expect(result.expectations.filter((x) => !x.passed)).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.endReason).toBe('idle');
    expect(result.events).toBe(result.eventLog.length);
    expect(result.steps[0]).toMatchObject({ id: 'ask', startedAt: 200, endedAt: 1400 });
  });

  it('gives the same event bytes and hash on every run', async () => {
    const a = await runSessionFile(weather);
    const b = await runSessionFile(weather);
    expect(eventsToJsonl(b.eventLog)).toBe(eventsToJsonl(a.eventLog));
    expect(b.eventsHash).toBe(a.eventsHash);
    expect(b.virtualMs).toBe(a.virtualMs);
  });

  it('runs a script object with a given agent, and reports what failed', async () => {
    const result = await runSessionScript(
      {
        agent: 'unused.ts',
        models: { llm: [{ when: { input: 'hi' }, text: 'Hello!' }] },
        user: [{ text: 'hi', at: 0 }],
        expect: { events: [{ event: 'speech.done', where: { reason: 'interrupted' } }] },
      },
      { agent: () => new Agent({ name: 'Hi', instructions: 'greet' }) },
    );
    expect(result.passed).toBe(false);
    expect(result.expectations[0]).toMatchObject({
      passed: false,
      detail: 'expected; happened instead: speech.done at 360ms {reason: "completed"}',
    });
  });

  it('drives say, wait, interrupt and reply steps', async () => {
    const result = await runSessionScript(
      {
        agent: 'unused.ts',
        models: {
          llm: [{ when: { agent: 'Hi' }, text: 'A generated reply that is long enough.' }],
        },
        user: [
          { say: 'Welcome to the shop, we sell everything you need.', at: 0 },
          { wait: '1s' },
          { interrupt: { force: true } },
        ],
        expect: {
          events: [
            { event: 'speech.playing', id: 'welcome' },
            {
              event: 'speech.interrupted',
              where: { speechId: { sameAs: 'welcome.speechId' }, by: 'api', force: true },
              at: '1s',
            },
          ],
          audio: [{ speech: 'welcome', played: 'partial', playedMs: 1000 }],
        },
      },
      { agent: () => new Agent({ name: 'Hi', instructions: 'greet' }) },
    );
    expect(result.expectations.filter((x) => !x.passed)).toEqual([]);
    const reply = await runSessionScript(
      {
        agent: 'unused.ts',
        models: { llm: [{ when: { agent: 'Hi' }, text: 'Generated.' }] },
        user: [{ reply: { instructions: 'say hi' }, at: '100ms' }],
        expect: { events: [{ event: 'speech.done', where: { spokenText: 'Generated.' } }] },
      },
      { agent: () => new Agent({ name: 'Hi', instructions: 'greet' }) },
    );
    expect(reply.passed).toBe(true);
  });

  it('reports work that can never finish as a deadlock, and still ends', async () => {
    const result = await runSessionScript(
      {
        agent: { module: 'weather-agent.ts', export: 'hangingAgent' },
        models: { llm: [{ when: { input: 'go' }, toolCalls: [{ name: 'hang' }] }] },
        user: [{ text: 'go', at: 0 }],
        options: { closeTimeoutMs: '500ms' },
      },
      { baseDir: 'test/replay/fixtures/e2e' },
    );
    expect(result.passed).toBe(false);
    expect(result.deadlocks.length).toBeGreaterThan(0);
    expect(result.deadlocks[0]).toMatchObject({ source: 'event' });
    expect(result.deadlocks[0]?.cycle.join(' ')).toContain('hang');
    expect(result.expectations.find((x) => x.description === 'no deadlock')?.passed).toBe(false);
  });

  it('treats an agent module without an agent as bad input', async () => {
    await expect(
      runSessionScript(
        { agent: { module: 'weather-agent.ts', export: 'notAnAgent' } },
        { baseDir: 'test/replay/fixtures/e2e', file: 'x.yaml' },
      ),
    ).rejects.toThrow(
      /^x\.yaml: agent: export "notAnAgent" of \/.*\/weather-agent\.ts is not an Agent$/,
    );
  });

  it('reports a step whose anchor never came, and the script never finishing it', async () => {
    const result = await runSessionScript(
      {
        agent: 'unused.ts',
        user: [{ say: 'again', after: { event: 'speech.done', nth: 5 } }],
      },
      { agent: () => new Agent({ name: 'Quiet', instructions: 'x' }) },
    );
    expect(result.passed).toBe(false);
    expect(result.errors).toEqual([
      'step 1 (say "again") never ran: waiting for speech.done #5, seen 0',
    ]);
  });
});

describe('replayCommand', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('prints a human report and exits 0 when everything passes', async () => {
    const { out, io } = captureIO();
    expect(await replayCommand([weather], {}, io)).toBe(0);
    expect(out[0]).toMatch(/^✓ test\/replay\/fixtures\/e2e\/weather\.yaml {2}\d+ events/);
  });

  it('prints one JSON object per line and writes events and trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'voxagent-replay-'));
    dirs.push(dir);
    const { out, io } = captureIO();
    const code = await replayCommand(
      [weather],
      { json: true, events: join(dir, 'events.jsonl'), trace: join(dir, 'trace.json') },
      io,
    );
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const json = JSON.parse(out[0]!) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining([
        'file',
        'passed',
        'expectations',
        'deadlocks',
        'errors',
        'virtualMs',
        'wallMs',
        'events',
        'eventsHash',
      ]),
    );
    expect(json).not.toHaveProperty('eventLog');
    // The spoken question's latency, attributed: end of speech → first audio of the answer (the
    // model was asked at the final transcript, so only the endpointing wait and the TTS remain).
    expect(json.latency).toEqual([
      expect.objectContaining({ turnId: 'turn_1', startMs: 1400, e2eMs: 500 }),
    ]);
    const [turn] = json.latency as { e2eMs: number; parts: Record<string, number> }[];
    expect(Object.values(turn!.parts).reduce((a, b) => a + b, 0)).toBe(turn!.e2eMs);
    const jsonl = await readFile(join(dir, 'events.jsonl'), 'utf8');
    expect(jsonl.trimEnd().split('\n')).toHaveLength(json.events as number);
    const trace = JSON.parse(await readFile(join(dir, 'trace.json'), 'utf8')) as {
      traceEvents: unknown[];
    };
    expect(trace.traceEvents.length).toBeGreaterThan(10);
  });

  it('exits 2 on a file that does not validate, naming file:line:col', async () => {
    const { err, io } = captureIO();
    expect(await replayCommand(['test/replay/fixtures/bad-step.yaml'], {}, io)).toBe(2);
    expect(err.join('\n')).toContain(
      'test/replay/fixtures/bad-step.yaml:3:5: user[0]: a step does one thing',
    );
  });

  it('exits 2 when nothing is there to replay', async () => {
    const { err, io } = captureIO();
    expect(await replayCommand(['test/replay/nope'], {}, io)).toBe(2);
    expect(err).toEqual(['test/replay/nope: no such file or folder']);
  });

  it('exits 1 when a replay fails, showing expected vs happened', async () => {
    const { out, io } = captureIO();
    const dir = await mkdtemp(join(tmpdir(), 'voxagent-replay-'));
    dirs.push(dir);
    const agent = join(process.cwd(), 'test/replay/fixtures/e2e/weather-agent.ts');
    const text = (await readFile(weather, 'utf8'))
      .replace('./weather-agent.ts', agent)
      .replace('Paris., played: full', 'Paris., played: partial');
    await writeFile(join(dir, 'weather.yaml'), text);
    expect(await replayCommand([dir], {}, io)).toBe(1);
    const report = out.join('\n');
    expect(report).toContain('✗ audio is:');
    expect(report).toContain('timeline:');
    expect(report.match(/^ {2}✗/gm)).toHaveLength(1);
  });
});
