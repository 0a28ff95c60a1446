import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatIssue,
  loadSessionFile,
  parseSessionText,
  SessionFileError,
} from '../../src/replay/load.js';

const fixture = (name: string) => `test/replay/fixtures/${name}`;

async function issuesOf(name: string): Promise<string[]> {
  try {
    await loadSessionFile(fixture(name));
  } catch (err) {
    expect(err).toBeInstanceOf(SessionFileError);
    const e = err as SessionFileError;
    expect(e.exitCode).toBe(2);
    // No stack trace material in what the user sees.
    expect(e.message).not.toMatch(/\n\s+at /);
    return e.issues.map(formatIssue);
  }
  throw new Error(`${name} was accepted`);
}

describe('session file validation: file:line:col: field path: message', () => {
  it.each([
    [
      'syntax-error.yaml.txt',
      [
        `${fixture('syntax-error.yaml.txt')}:5:1: user[0].at: YAML syntax: Flow map in block collection must be sufficiently indented and end with a }`,
      ],
    ],
    [
      'unknown-field.yaml',
      [
        `${fixture('unknown-field.yaml')}:5:5: user[0].sttdelay: unknown field "sttdelay" (did you mean "sttDelay"?)`,
        `${fixture('unknown-field.yaml')}:6:1: expct: unknown field "expct" (did you mean "expect"?)`,
      ],
    ],
    [
      'bad-duration.yaml',
      [
        `${fixture('bad-duration.yaml')}:3:20: options.playoutSettleMs: expected a duration like 300ms or 1.2s, got "fast"`,
        `${fixture('bad-duration.yaml')}:6:9: user[0].at: expected a duration like 300ms or 1.2s, got "1.2sec"`,
        `${fixture('bad-duration.yaml')}:7:11: user[1].wait: expected a duration like 300ms or 1.2s, got -5`,
      ],
    ],
    [
      'bad-event.yaml',
      [
        `${fixture('bad-event.yaml')}:4:12: user[0].after: unknown event "speech.plaing" (did you mean "speech.playing"?)`,
        `${fixture('bad-event.yaml')}:8:14: expect.events[1].event: unknown event "speech.don" (did you mean "speech.done"?)`,
      ],
    ],
    [
      'bad-step.yaml',
      [
        `${fixture('bad-step.yaml')}:3:5: user[0]: a step does one thing; found speech and text`,
        `${fixture('bad-step.yaml')}:5:5: user[1]: a step needs one of: speech, noise, text, interrupt, say, reply, wait, close, reload`,
        `${fixture('bad-step.yaml')}:7:10: user[2].end: \`end\` needs an absolute \`at\` (use \`duration\` otherwise)`,
        `${fixture('bad-step.yaml')}:9:15: user[3].sttDelay: \`sttDelay\` does not apply to a text step (only to speech)`,
      ],
    ],
    [
      'bad-refs.yaml',
      [
        `${fixture('bad-refs.yaml')}:4:20: user[0].after.step: "later" is not the id of an earlier step`,
        `${fixture('bad-refs.yaml')}:7:9: user[2].id: duplicate step id "later"`,
        `${fixture('bad-refs.yaml')}:12:30: expect.events[0].within.of.match: "ghost" is not the id of an earlier expectation`,
        `${fixture('bad-refs.yaml')}:14:36: expect.events[1].where.speechId.sameAs: "nobody" is not the id of an earlier expectation`,
      ],
    ],
    [
      'missing-agent.yaml',
      [
        `${fixture('missing-agent.yaml')}:1:1: agent: missing (required): expected the path of the agent module, or { module, export }`,
      ],
    ],
    [
      'bad-matcher.yaml',
      [
        `${fixture('bad-matcher.yaml')}:6:31: expect.events[0].where.playedMs.lessThan: unknown matcher "lessThan" (use one of eq, ne, lt, lte, gt, gte, contains, matches, oneOf, exists, sameAs)`,
        `${fixture('bad-matcher.yaml')}:7:21: expect.events[0].where.spokenText: invalid regular expression /(unclosed/: Invalid regular expression: /(unclosed/: Unterminated group`,
        `${fixture('bad-matcher.yaml')}:10:15: expect.history[1].role: expected one of "user"|"assistant"|"tool"|"system"|"handoff"`,
      ],
    ],
    [
      'bad-models.yaml',
      [
        `${fixture('bad-models.yaml')}:7:38: models.llm[0].toolCalls[0].arguments: expected an object of arguments or a JSON string`,
        `${fixture('bad-models.yaml')}:8:13: models.llm[0].ttft: expected a duration like 300ms or 1.2s, got "soon"`,
        `${fixture('bad-models.yaml')}:9:21: models.tts.msPerChar: expected number to be >0`,
        `${fixture('bad-models.yaml')}:10:19: models.output.kind: expected one of "reporting"|"never-reporting"`,
      ],
    ],
    [
      'comma-in-flow.yaml',
      [
        `${fixture('comma-in-flow.yaml')}:4:57: expect.events[0].where.world: "world" has no value: if it belongs to the text before it, quote that text (a comma ends an unquoted value inside { })`,
      ],
    ],
    [
      'two-fallbacks.yaml',
      [
        `${fixture('two-fallbacks.yaml')}:7:19: models.llm[2].fallback: only one reply can be the fallback, and models.llm[0] already is`,
      ],
    ],
  ])('%s', async (name, expected) => {
    expect(await issuesOf(name)).toEqual(expected);
  });

  it('names the agent module that does not exist', async () => {
    const [issue] = await issuesOf('agent-not-found.yaml');
    expect(issue).toMatch(
      /^test\/replay\/fixtures\/agent-not-found\.yaml:1:8: agent: agent module not found: .*does-not-exist\.ts$/,
    );
  });

  it('reports a file that does not exist without a position', async () => {
    expect(await issuesOf('nope.yaml')).toEqual([`${fixture('nope.yaml')}: file not found`]);
  });
});

describe('session file parsing', () => {
  const base = `${process.cwd()}/test/replay/fixtures/inline.yaml`;
  it('normalises times, steps and expectations', () => {
    const { script } = parseSessionText(
      [
        'agent: ./noop-agent.ts',
        'user:',
        '  - { id: q, speech: "What is the weather?", at: 1.2s, end: 2s, sttDelay: 150ms }',
        '  - { noise: 300ms, after: { event: speech.playing, nth: 2, offset: 0.3s } }',
        '  - { text: typed, source: api }',
        '  - { wait: 1s }',
        '  - { interrupt: { force: true }, after: { step: q, edge: start } }',
        '  - { say: hello, allowInterruptions: false }',
        '  - { close: done }',
        'expect:',
        '  events:',
        '    - user.turn',
        '    - { event: speech.done, where: { playedMs: { lt: 1s } }, within: 500ms }',
        '  noDroppedInput: false',
      ].join('\n'),
      base,
    );
    expect(script.user.map((s) => [s.timing, s.action])).toEqual([
      [
        { kind: 'at', ms: 1200 },
        {
          type: 'speech',
          transcript: 'What is the weather?',
          durationMs: 800,
          sttDelayMs: 150,
          interim: null,
        },
      ],
      [
        {
          kind: 'after',
          ref: { kind: 'event', event: 'speech.playing', nth: 2, where: undefined, since: null },
          offsetMs: 300,
        },
        { type: 'noise', durationMs: 300 },
      ],
      [{ kind: 'next' }, { type: 'text', text: 'typed', source: 'api' }],
      [{ kind: 'next' }, { type: 'wait', durationMs: 1000 }],
      [
        { kind: 'after', ref: { kind: 'step', step: 'q', edge: 'start' }, offsetMs: 0 },
        { type: 'interrupt', force: true },
      ],
      [
        { kind: 'next' },
        { type: 'say', text: 'hello', allowInterruptions: false, addToHistory: null },
      ],
      [{ kind: 'next' }, { type: 'close', reason: 'done' }],
    ]);
    expect(script.expect.events[1]?.within).toEqual({ of: null, ms: 500 });
    expect(script.expect.noDroppedInput).toBe(false);
    expect(script.expect.noDeadlock).toBe(true);
    expect(script.run).toEqual({ limitMs: 120_000, settleMs: 1000, close: true });
  });
});

describe('hostile and absurd input: rejected at once with file:line, no stack', () => {
  const limits = (name: string) => `limits/${name}`;

  it('an alias bomb ("billion laughs")', async () => {
    const started = performance.now();
    expect(await issuesOf(limits('alias-bomb.yaml'))).toEqual([
      `${fixture(limits('alias-bomb.yaml'))}:5:10: x.b[0]: YAML aliases expand too much (Excessive alias count indicates a resource exhaustion attack): write the values out`,
    ]);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('more aliases than a session file needs', async () => {
    expect(await issuesOf(limits('many-aliases.yaml'))).toEqual([
      `${fixture(limits('many-aliases.yaml'))}:104:5: x[100]: more than 100 YAML aliases (*name): a session file needs few; each one copies a whole subtree`,
    ]);
  });

  it('a 50 MB file, before reading it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'voxagent-limits-'));
    try {
      const file = join(dir, 'huge.yaml');
      await writeFile(file, `agent: ./a.ts\ndescription: "${'x'.repeat(50 * 1024 * 1024)}"\n`);
      const started = performance.now();
      const issues = await loadSessionFile(file).then(
        () => [],
        (err: SessionFileError) => err.issues.map(formatIssue),
      );
      expect(issues).toEqual([
        `${file}:1:1: the file is 50.0 MB; session files are limited to 8.0 MB (split a long session into several files)`,
      ]);
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('absurd numbers', async () => {
    const f = fixture(limits('absurd-numbers.yaml'));
    expect(await issuesOf(limits('absurd-numbers.yaml'))).toEqual([
      `${f}:3:17: options.maxToolSteps: expected a whole number from 0 to 10000`,
      `${f}:5:21: models.tts.msPerChar: expected at most 10000 ms per character`,
      `${f}:5:43: models.tts.sampleRate: expected a whole number from 8000 to 192000`,
      `${f}:7:26: user[0].at: "99999999999999999999s" is over the limit of 24h for any duration`,
      `${f}:8:14: user[1].noise: "400000h" is over the limit of 24h for any duration`,
      `${f}:9:50: user[2].after.nth: expected a whole number from 1 to 1000000`,
      `${f}:11:10: run.limit: 1e+300 is over the limit of 24h for any duration`,
    ]);
  });

  it('a field in the wrong place is not suggested as itself', async () => {
    expect(await issuesOf(limits('misplaced-field.yaml'))).toEqual([
      `${fixture(limits('misplaced-field.yaml'))}:4:29: expect.never[0].at: "at" is not a field here`,
    ]);
  });
});
