/**
 * The provider fault matrix of the OpenAI Realtime plugin, through the real SDK against the
 * local TLS server: each fault gives the response in flight one ProviderError (or, outside
 * a response, one `error` event), and the next response reconnects and works.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAIRealtimeModel } from 'voxagent/openai';
import { UsageError } from '../../src/runtime/core/errors.js';
import type { RealtimeEvent } from '../../src/runtime/models/realtime.js';
import {
  FakeOpenAIRealtimeServer,
  type ResponseFault,
} from '../support/fake-openai-realtime-server.js';
import { closedPortUrl } from '../support/fake-openai-server.js';
import {
  collect,
  expectNoSecret,
  expectProviderError,
  failureOf,
  SECRET_KEY,
  testContext,
} from './helpers.js';
import {
  assistant,
  audioSamples,
  messageId,
  openSession,
  request,
  respond,
  shape,
  speech,
  until,
  user,
  withoutIds,
} from './realtime-helpers.js';

let server: FakeOpenAIRealtimeServer;
beforeEach(async () => {
  server = await FakeOpenAIRealtimeServer.start();
});
afterEach(async () => {
  await server.close();
});

const PROVIDER = 'openai.realtime';
const hi = request([user('m1', 'hi')]);
const errors = (events: RealtimeEvent[]) => events.filter((e) => e.type === 'error');

/** The next response works, on connection number `connection` (0-based). */
async function worksAgain(session: ReturnType<typeof openSession>['session'], connection: number) {
  server.respond({ text: ['Back.'], audioMs: 100 });
  const chunks = await collect(respond(session, hi));
  expect(shape(chunks)).toContain('text:Back.');
  expect(server.connections).toHaveLength(connection + 1);
  expect(server.connections[connection]!.events[0]!.type).toBe('session.update');
}

describe('OpenAIRealtimeModel faults: connecting', () => {
  it('401 at the upgrade: not retryable, names the key, echoes no key; the next try works', async () => {
    server.connect({ reject: 401 });
    const { session, events } = openSession(server);
    const { error, items } = await failureOf(respond(session, hi));
    expect(items).toEqual([]);
    expectProviderError(error, {
      provider: PROVIDER,
      status: 401,
      retryable: false,
      hint: 'check OPENAI_API_KEY',
      message: /^HTTP 401: Incorrect API key provided: Bearer \[redacted\]$/,
    });
    await worksAgain(session, 0);
    expect(events).toEqual([]);
    await session.close();
  });

  it('429 at the upgrade: retryable after retry-after; out of quota is not', async () => {
    server.connect({ reject: 429, retryAfter: '2' }, { reject: 429, code: 'insufficient_quota' });
    const { session, events } = openSession(server);
    expectProviderError((await failureOf(respond(session, hi))).error, {
      provider: PROVIDER,
      status: 429,
      retryable: true,
      retryAfterMs: 2000,
      hint: /^rate limited/,
    });
    expectProviderError((await failureOf(respond(session, hi))).error, {
      provider: PROVIDER,
      status: 429,
      retryable: false,
      hint: 'the account is out of quota: check billing',
    });
    await worksAgain(session, 0);
    expect(events).toEqual([]);
    await session.close();
  });

  it('no server: connection refused, naming OPENAI_BASE_URL', async () => {
    const url = await closedPortUrl();
    const session = new OpenAIRealtimeModel({ apiKey: SECRET_KEY, baseURL: url }).session(
      testContext(),
    );
    expectProviderError((await failureOf(respond(session, hi))).error, {
      provider: PROVIDER,
      retryable: true,
      hint: /^is OPENAI_BASE_URL right\? \(using 127\.0\.0\.1:\d+\)$/,
      message: /could not connect: connection refused/,
    });
    await session.close();
  });

  it('no session.created: times out, then the next try works', async () => {
    server.connect({ silent: true });
    const { session, events } = openSession(server, { connectTimeoutMs: 300 });
    expectProviderError((await failureOf(respond(session, hi))).error, {
      provider: PROVIDER,
      retryable: true,
      hint: 'check the network and OPENAI_BASE_URL',
      message: /^timed out: no session within 300 ms of connecting$/,
    });
    await worksAgain(session, 1);
    expect(events).toEqual([]);
    await session.close();
  });

  it('needs OPENAI_API_KEY, and honours OPENAI_BASE_URL', async () => {
    expect(() => new OpenAIRealtimeModel({ env: {} })).toThrow(UsageError);
    expect(() => new OpenAIRealtimeModel({ env: {} })).toThrow(
      'OPENAI_API_KEY is not set: export it, or use --llm demo (offline)',
    );
    const model = new OpenAIRealtimeModel({
      env: { OPENAI_API_KEY: SECRET_KEY, OPENAI_BASE_URL: server.url },
      ca: server.ca,
    });
    server.respond({ text: ['From env.'] });
    const chunks = await collect(respond(model.session(testContext()), hi));
    expect(shape(chunks)).toContain('text:From env.');
    expect(server.connections[0]!.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
  });
});

describe('OpenAIRealtimeModel faults: mid-response', () => {
  const cases: Array<{
    name: string;
    fault: ResponseFault;
    expected: Parameters<typeof expectProviderError>[1];
  }> = [
    {
      name: 'a server error event',
      fault: {
        kind: 'error',
        error: { type: 'server_error', message: `The server had an error (key ${SECRET_KEY})` },
      },
      expected: {
        provider: PROVIDER,
        retryable: true,
        hint: 'the provider failed: retry in a moment',
        message: /^server error \(server_error\): The server had an error \(key \[redacted\]\)$/,
      },
    },
    {
      name: 'a rate-limit error event',
      fault: {
        kind: 'error',
        error: { type: 'tokens', code: 'rate_limit_exceeded', message: 'Rate limit reached' },
        noDone: true,
      },
      expected: { provider: PROVIDER, retryable: true, hint: /^rate limited/ },
    },
    {
      name: 'a failed response',
      fault: { kind: 'failed', error: { type: 'server_error', code: 'internal' } },
      expected: {
        provider: PROVIDER,
        retryable: true,
        hint: 'the provider failed: retry in a moment',
        message: /^server error \(server_error\/internal\): the response failed$/,
      },
    },
    {
      name: 'an abrupt close',
      fault: { kind: 'close' },
      expected: {
        provider: PROVIDER,
        status: 1006,
        retryable: true,
        hint: 'the connection dropped: the next turn reconnects',
      },
    },
  ];

  for (const { name, fault, expected } of cases) {
    it(`${name}: one ProviderError after the audio so far; the next turn reconnects`, async () => {
      server.respond({
        text: ['Half ', 'an answer.'],
        audioMs: 600,
        fault: { ...fault, atAudioMs: 300 },
      });
      const { session, events } = openSession(server);
      const { error, items } = await failureOf(respond(session, hi));
      expectProviderError(error, expected);
      expect(audioSamples(items)).toBeGreaterThanOrEqual(300 * 24);
      // The next turn starts over: configuration and the whole conversation, as text.
      const heard = assistant('m2', 'Half', messageId(items));
      server.respond({ text: ['Again.'] });
      const chunks = await collect(
        respond(session, request([user('m1', 'hi'), heard, user('m3', 'go on')])),
      );
      expect(shape(chunks)).toContain('text:Again.');
      expect(server.connections).toHaveLength(2);
      const second = server.connections[1]!.events;
      expect(second[0]!.type).toBe('session.update');
      expect(withoutIds(second.slice(1, 4)).map((e) => (e as { item: unknown }).item)).toEqual([
        {
          type: 'message',
          id: 'vx_item_2',
          role: 'user',
          content: [{ type: 'input_text', text: 'hi' }],
        },
        {
          type: 'message',
          id: 'vx_item_3',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Half' }],
        },
        {
          type: 'message',
          id: 'vx_item_4',
          role: 'user',
          content: [{ type: 'input_text', text: 'go on' }],
        },
      ]);
      expect(events).toEqual([]);
      await session.close();
    });
  }

  it('a server error before any output: one ProviderError and nothing yielded', async () => {
    server.respond({
      text: ['never'],
      fault: {
        kind: 'error',
        error: { type: 'invalid_request_error', code: 'bad', message: 'nope' },
      },
    });
    const { session, events } = openSession(server);
    const { error, items } = await failureOf(respond(session, hi));
    expect(items).toEqual([]);
    expectProviderError(error, {
      provider: PROVIDER,
      retryable: false,
      hint: 'the server rejected a request: check the model, voice and tool schemas',
    });
    await worksAgain(session, 1);
    expect(events).toEqual([]);
    await session.close();
  });

  it('no answer to response.create: times out; the next turn works', async () => {
    server.respond({ type: 'hang' });
    const { session, events } = openSession(server, { responseTimeoutMs: 300 });
    expectProviderError((await failureOf(respond(session, hi))).error, {
      provider: PROVIDER,
      retryable: true,
      hint: 'the model is overloaded or stuck: retry, or raise responseTimeoutMs',
      message: /no response within 300 ms of asking/,
    });
    await worksAgain(session, 1);
    expect(events).toEqual([]);
    await session.close();
  });
});

describe('OpenAIRealtimeModel faults: outside a response', () => {
  it('a server error event and a dropped socket are one error event each', async () => {
    server.respond({ text: ['First.'] });
    const { session, events } = openSession(server);
    await collect(respond(session, hi));
    await server.last.sendError({ type: 'server_error', message: `hiccup ${SECRET_KEY}` });
    await until(() => errors(events).length === 1);
    server.last.terminate();
    await until(() => errors(events).length === 2);
    const [serverSide, dropped] = errors(events).map((e) =>
      e.type === 'error' ? e.error : undefined,
    );
    expectProviderError(serverSide, {
      provider: PROVIDER,
      retryable: true,
      hint: 'the provider failed: retry in a moment',
      message: /^server error \(server_error\): hiccup \[redacted\]$/,
    });
    expectProviderError(dropped, {
      provider: PROVIDER,
      status: 1006,
      retryable: true,
      hint: 'the connection dropped: the next turn reconnects',
    });
    await worksAgain(session, 1);
    expect(errors(events)).toHaveLength(2);
    await session.close();
  });

  it('a refused background connection (audio, no response) is one error event, not retried', async () => {
    server.connect({ reject: 401 });
    const { session, events } = openSession(server);
    session.pushAudio(speech(20)[0]!);
    await until(() => errors(events).length === 1);
    for (const frame of speech(200)) session.pushAudio(frame);
    expect(errors(events)).toHaveLength(1);
    expectNoSecret(events);
    const refused = events[0]?.type === 'error' ? events[0].error : undefined;
    expectProviderError(refused, {
      provider: PROVIDER,
      status: 401,
      retryable: false,
      hint: 'check OPENAI_API_KEY',
    });
    // Asking for a response tries again (and the server now accepts). Had the audio started
    // a connection, the response would have joined it: two session.updates, not one.
    await worksAgain(session, 0);
    expect(server.eventsOf('session.update')).toHaveLength(1);
    expect(server.eventsOf('session.update')[0]!.session).toMatchObject({
      instructions: 'Be brief.',
    });
    expect(errors(events)).toHaveLength(1);
    await session.close();
  });
});
