import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAILLM, requireOpenAIKey } from 'voxagent/openai';
import { VirtualClock } from '../../src/runtime/clock/virtual-clock.js';
import { UsageError } from '../../src/runtime/core/errors.js';
import type { LLMChunk, LLMRequest } from '../../src/runtime/models/llm.js';
import { closedPortUrl, FakeOpenAIServer } from '../support/fake-openai-server.js';
import { collect, expectProviderError, failureOf, SECRET_KEY, testContext } from './helpers.js';

const hello: LLMRequest = {
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'hi' },
  ],
  tools: [],
};

const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

let server: FakeOpenAIServer;
beforeEach(async () => {
  server = await FakeOpenAIServer.start();
});
afterEach(async () => {
  await server.close();
});

const llm = (extra: Partial<ConstructorParameters<typeof OpenAILLM>[0]> = {}) =>
  new OpenAILLM({ apiKey: SECRET_KEY, baseURL: server.url, model: 'gpt-test', ...extra });

describe('OpenAILLM happy paths', () => {
  it('streams text deltas, then usage, and sends a streaming request', async () => {
    server.chat({
      type: 'reply',
      text: ['Hel', 'lo', ' there.'],
      usage: { prompt: 12, completion: 3 },
    });
    const chunks = await collect(llm().chat(hello, testContext()));
    expect(chunks).toEqual([
      { type: 'text', delta: 'Hel' },
      { type: 'text', delta: 'lo' },
      { type: 'text', delta: ' there.' },
      { type: 'usage', promptTokens: 12, completionTokens: 3 },
    ]);
    const req = server.requests[0]!;
    expect(req.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(req.body).toEqual({
      model: 'gpt-test',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(llm().label).toBe('openai/gpt-test');
  });

  it('assembles tool-call arguments split across chunks, for several calls', async () => {
    server.chat({
      type: 'reply',
      toolCalls: [
        { id: 'call_a', name: 'get_weather', arguments: ['{"ci', 'ty": "Pa', 'ris"}'] },
        { id: 'call_b', name: 'get_weather', arguments: ['{"city":', ' "Oslo"}'] },
      ],
    });
    const chunks = await collect(llm().chat({ ...hello, tools: [weatherTool] }, testContext()));
    expect(chunks.filter((c) => c.type === 'tool_call')).toEqual([
      {
        type: 'tool_call',
        call: { id: 'call_a', name: 'get_weather', arguments: '{"city": "Paris"}' },
      },
      {
        type: 'tool_call',
        call: { id: 'call_b', name: 'get_weather', arguments: '{"city": "Oslo"}' },
      },
    ]);
    expect(server.requests[0]!.body.tools).toEqual([{ type: 'function', function: weatherTool }]);
  });

  it('yields a call as soon as the next index begins, before the stream ends', async () => {
    // Lines: role, a0 start, a0 args, b0 start, … — hold right after call b starts.
    server.chat({
      type: 'reply',
      toolCalls: [
        { id: 'call_a', name: 'lookup', arguments: ['{"q":1}'] },
        { id: 'call_b', name: 'lookup', arguments: ['{"q":2}'] },
      ],
      holdAfter: 4,
    });
    const it = llm().chat({ ...hello, tools: [{ ...weatherTool, name: 'lookup' }] }, testContext());
    const iterator = it[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toEqual({
      type: 'tool_call',
      call: { id: 'call_a', name: 'lookup', arguments: '{"q":1}' },
    });
    await server.held();
    server.release();
    const rest: LLMChunk[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value);
    expect(rest[0]).toEqual({
      type: 'tool_call',
      call: { id: 'call_b', name: 'lookup', arguments: '{"q":2}' },
    });
  });

  it('maps tool choice, assistant tool calls and tool results', async () => {
    const request: LLMRequest = {
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{"city":"Rome"}' }],
        },
        { role: 'tool', toolCallId: 'c1', content: 'sunny' },
        { role: 'assistant', content: 'It is sunny.' },
      ],
      tools: [weatherTool],
      toolChoice: { name: 'get_weather' },
    };
    for (const toolChoice of ['auto', 'required', 'none', { name: 'get_weather' }] as const) {
      await collect(
        llm({ parallelToolCalls: false }).chat({ ...request, toolChoice }, testContext()),
      );
    }
    await collect(llm().chat({ ...hello, toolChoice: 'required' }, testContext()));
    const bodies = server.requests.map((r) => r.body);
    expect(bodies[0]!.messages).toEqual([
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'c1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      { role: 'assistant', content: 'It is sunny.' },
    ]);
    expect(bodies.slice(0, 4).map((b) => b.tool_choice)).toEqual([
      'auto',
      'required',
      'none',
      { type: 'function', function: { name: 'get_weather' } },
    ]);
    expect(bodies[0]!.parallel_tool_calls).toBe(false);
    // Without tools, tool_choice is not sent (the API would reject it).
    expect(bodies[4]).not.toHaveProperty('tool_choice');
    expect(bodies[4]).not.toHaveProperty('tools');
  });
});

describe('OpenAILLM faults', () => {
  it('401: not retryable, says which variable to check, never shows the key', async () => {
    server.chat({ type: 'status', status: 401 });
    const { error } = await failureOf(llm().chat(hello, testContext()));
    const err = expectProviderError(error, {
      provider: 'openai.llm',
      status: 401,
      retryable: false,
      hint: 'check OPENAI_API_KEY',
      message: /HTTP 401: Incorrect API key provided: Bearer \[redacted\]/,
    });
    expect(err.message).not.toContain('3f9a1c77');
  });

  it('429 with retry-after: retryable, with the delay', async () => {
    server.chat({ type: 'status', status: 429, retryAfter: '2' });
    const { error } = await failureOf(llm().chat(hello, testContext()));
    expectProviderError(error, {
      provider: 'openai.llm',
      status: 429,
      retryable: true,
      retryAfterMs: 2000,
      hint: 'rate limited: wait and retry, or raise your quota',
    });
  });

  it('429 insufficient_quota: not retryable', async () => {
    server.chat({ type: 'status', status: 429, code: 'insufficient_quota' });
    const { error } = await failureOf(llm().chat(hello, testContext()));
    expectProviderError(error, {
      provider: 'openai.llm',
      status: 429,
      retryable: false,
      hint: 'the account is out of quota: check billing',
    });
  });

  it('500: retryable; 400: not retryable', async () => {
    server.chat({ type: 'status', status: 500 }, { type: 'status', status: 400 });
    expectProviderError((await failureOf(llm().chat(hello, testContext()))).error, {
      provider: 'openai.llm',
      status: 500,
      retryable: true,
      hint: 'the provider failed: retry in a moment',
    });
    expectProviderError((await failureOf(llm().chat(hello, testContext()))).error, {
      provider: 'openai.llm',
      status: 400,
      retryable: false,
      hint: 'the request was rejected: check the model name and options',
    });
  });

  it('stream cut mid-reply: the text so far, then a retryable error', async () => {
    server.chat({ type: 'cut', text: ['Once', ' upon'] });
    const { error, items } = await failureOf(llm().chat(hello, testContext()));
    expect(items).toEqual([
      { type: 'text', delta: 'Once' },
      { type: 'text', delta: ' upon' },
    ]);
    expectProviderError(error, {
      provider: 'openai.llm',
      retryable: true,
      hint: /retry/,
    });
  });

  it('a stream that stops without finishing: retryable', async () => {
    server.chat({ type: 'truncated', text: ['Half'] });
    const { error, items } = await failureOf(llm().chat(hello, testContext()));
    expect(items).toEqual([{ type: 'text', delta: 'Half' }]);
    expectProviderError(error, {
      provider: 'openai.llm',
      retryable: true,
      hint: 'the connection was cut before the reply finished: retry',
    });
  });

  it('malformed chunk: a protocol error naming the base URL variable', async () => {
    server.chat({ type: 'malformed', text: ['Hi'] });
    const { error, items } = await failureOf(llm().chat(hello, testContext()));
    expect(items).toEqual([{ type: 'text', delta: 'Hi' }]);
    expectProviderError(error, {
      provider: 'openai.llm',
      retryable: false,
      hint: 'is OPENAI_BASE_URL pointing at a real openai endpoint?',
      message: /malformed/,
    });
  });

  for (const step of [{ type: 'stall' }, { type: 'hang' }] as const) {
    it(`first token never comes (${step.type}): times out on the session clock`, async () => {
      server.chat(step);
      const clock = new VirtualClock({ autoAdvance: false });
      const ctx = testContext(clock);
      const pending = failureOf(llm({ firstTokenTimeoutMs: 10_000 }).chat(hello, ctx));
      await server.waitForRequests(1);
      await clock.advance(9_999);
      expect(server.requests).toHaveLength(1);
      await clock.advance(1);
      expectProviderError((await pending).error, {
        provider: 'openai.llm',
        retryable: true,
        hint: 'the model is overloaded or stuck: retry, or raise firstTokenTimeoutMs',
        message: /timed out: no token within 10000 ms/,
      });
    });
  }

  it('connection refused: retryable, asks whether the base URL is right', async () => {
    const url = await closedPortUrl();
    const host = new URL(url).host;
    const { error } = await failureOf(
      new OpenAILLM({ apiKey: SECRET_KEY, baseURL: url }).chat(hello, testContext()),
    );
    expectProviderError(error, {
      provider: 'openai.llm',
      retryable: true,
      hint: `is OPENAI_BASE_URL right? (using ${host})`,
      message: new RegExp(`connection refused at ${host}`),
    });
  });

  it('aborting ctx.signal cancels the request and rethrows the reason', async () => {
    server.chat({ type: 'reply', text: ['a', 'b', 'c'], holdAfter: 2 });
    const ctx = testContext();
    const iterator = llm().chat(hello, ctx)[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ type: 'text', delta: 'a' });
    await server.held();
    const reason = new Error('turn interrupted');
    const next = iterator.next();
    ctx.abort(reason);
    await expect(next).rejects.toBe(reason);
  });
});

describe('OpenAI keys', () => {
  it('a missing key is a UsageError naming the variable and the offline way', () => {
    expect(() => requireOpenAIKey('llm', {})).toThrow(UsageError);
    expect(() => requireOpenAIKey('llm', {})).toThrow(
      'OPENAI_API_KEY is not set: export it, or use --llm demo (offline)',
    );
    expect(() => new OpenAILLM({ env: {} })).toThrow(UsageError);
    expect(requireOpenAIKey('tts', { OPENAI_API_KEY: ' k ' })).toBe('k');
  });

  it('options win over OPENAI_API_KEY / OPENAI_BASE_URL', async () => {
    const env = { OPENAI_API_KEY: 'env-key-1234', OPENAI_BASE_URL: server.url };
    await collect(new OpenAILLM({ env }).chat(hello, testContext()));
    await collect(new OpenAILLM({ env, apiKey: SECRET_KEY }).chat(hello, testContext()));
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer env-key-1234',
      `Bearer ${SECRET_KEY}`,
    ]);
  });
});
