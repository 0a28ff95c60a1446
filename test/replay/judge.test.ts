/**
 * Judged expectations through the real OpenAI SDK, against the local OpenAI-compatible
 * server (test/support): the verdict and its reason land in the report, a "fail" fails the
 * file, and without a judge model the run stops with exit 2 and one line.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAILLM } from '../../plugins/openai/llm.js';
import { replayCommand } from '../../src/replay/command.js';
import { parseVerdict } from '../../src/replay/judge.js';
import { runSessionFile } from '../../src/replay/runner.js';
import { FakeOpenAIServer } from '../support/fake-openai-server.js';

const judged = 'test/replay/fixtures/judge/weather-judged.yaml';
const verdict = (v: string, reason: string) => ({
  type: 'reply' as const,
  text: [`{"verdict": "${v}", `, `"reason": "${reason}"}`],
});

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await FakeOpenAIServer.start();
});
afterAll(async () => {
  await server.close();
});

function captureIO() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

describe('judge: { intent } on an agent message', () => {
  const judge = () => ({ llm: new OpenAILLM({ baseURL: server.url, apiKey: 'sk-judge-test' }) });

  it('passes when the judge says the message fulfils the intent, with its reason', async () => {
    server.chat(verdict('pass', 'It says it is sunny in Paris.'));
    const before = server.requests.length;
    const result = await runSessionFile(judged, { judge: judge() });
    const x = result.expectations.find((e) => e.description.startsWith('judge:'));
    expect(x).toEqual({
      description: 'judge: tells the user the weather in Paris',
      passed: true,
      detail: 'pass ("It is sunny in Paris."): It says it is sunny in Paris.',
      path: 'expect.history.includes[1].judge',
      line: 18,
    });
    expect(result.passed).toBe(true);
    // What the judge was asked: the conversation, the message, the intent.
    const body = server.requests[before]!.body as { messages: { content: string }[] };
    const asked = body.messages[1]!.content;
    expect(asked).toContain("user: What's the weather in Paris?");
    expect(asked).toContain('Agent message to check:\nIt is sunny in Paris.');
    expect(asked).toContain('Intent:\ntells the user the weather in Paris');
  });

  it('fails the file when the judge says it does not', async () => {
    server.chat(verdict('fail', 'It never names a temperature.'));
    const result = await runSessionFile(judged, { judge: judge() });
    expect(result.passed).toBe(false);
    expect(result.expectations.filter((e) => !e.passed)).toEqual([
      expect.objectContaining({
        description: 'judge: tells the user the weather in Paris',
        detail: 'fail ("It is sunny in Paris."): It never names a temperature.',
      }),
    ]);
  });

  it('fails, saying why, when the judge answers something that is not a verdict', () => {
    expect(parseVerdict('I think so')).toEqual({
      passed: false,
      reason: "the judge's reply is not a verdict: I think so",
    });
    expect(parseVerdict('```json\n{"verdict":"PASS","reason":"ok"}\n```')).toEqual({
      passed: true,
      reason: 'ok',
    });
  });
});

describe('voxagent replay with judged expectations', () => {
  const saved = { key: process.env.OPENAI_API_KEY, url: process.env.OPENAI_BASE_URL };
  afterEach(() => {
    process.env.OPENAI_API_KEY = saved.key;
    process.env.OPENAI_BASE_URL = saved.url;
    if (saved.key === undefined) delete process.env.OPENAI_API_KEY;
    if (saved.url === undefined) delete process.env.OPENAI_BASE_URL;
  });

  it('uses OpenAI from the environment, --judge-llm choosing the model; the report has the reason', async () => {
    process.env.OPENAI_API_KEY = 'sk-judge-test';
    process.env.OPENAI_BASE_URL = server.url;
    server.chat(verdict('pass', 'It gives the weather.'));
    const before = server.requests.length;
    const { out, io } = captureIO();
    const code = await replayCommand(
      [judged],
      { judgeLlm: 'openai:gpt-judge', timeout: '30s' },
      io,
    );
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('✓ judge: tells the user the weather in Paris');
    expect(server.requests[before]!.body).toMatchObject({ model: 'gpt-judge', temperature: 0 });
    const { out: json, io: jsonIO } = captureIO();
    server.chat(verdict('fail', 'Too vague.'));
    expect(await replayCommand([judged], { json: true, timeout: '30s' }, jsonIO)).toBe(1);
    const result = JSON.parse(json[0]!) as { expectations: { detail: string }[] };
    expect(result.expectations.map((e) => e.detail)).toContain(
      'fail ("It is sunny in Paris."): Too vague.',
    );
  }, 60_000);

  it('without a judge model, stops with exit 2 and one line saying how to configure one', async () => {
    delete process.env.OPENAI_API_KEY;
    const { out, err, io } = captureIO();
    const code = await replayCommand([judged, 'test/replay/fixtures/e2e/weather.yaml'], {}, io);
    expect(code).toBe(2);
    expect(err).toEqual([
      `${judged}:18: expect.history.includes[1].judge needs a judge model: set OPENAI_API_KEY (and OPENAI_BASE_URL for an OpenAI-compatible server), or choose one with --judge-llm openai:<model>`,
    ]);
    expect(out).toEqual([]);
  }, 60_000);
});
