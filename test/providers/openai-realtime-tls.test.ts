/**
 * The SDK's Realtime client always connects with `wss:`. A server with its own CA is
 * trusted through the plugin's `ca` option (the other realtime tests do that), or through
 * NODE_EXTRA_CA_CERTS, which Node reads only when it starts: so that one runs in a child
 * process. Without either, the failure says what to do.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { OpenAIRealtimeModel } from 'voxagent/openai';
import { FakeOpenAIRealtimeServer } from '../support/fake-openai-realtime-server.js';
import { testTls } from '../support/test-tls.js';
import { expectProviderError, failureOf, SECRET_KEY, testContext } from './helpers.js';
import { request, respond, user } from './realtime-helpers.js';

let server: FakeOpenAIRealtimeServer;
beforeEach(async () => {
  server = await FakeOpenAIRealtimeServer.start();
});
afterEach(async () => {
  await server.close();
});

const UNTRUSTED = /^the server's TLS certificate is not trusted \([A-Z_]+\)$/;

it('a certificate nobody trusts: one clear, non-retryable error naming both ways to trust it', async () => {
  const model = new OpenAIRealtimeModel({ apiKey: SECRET_KEY, baseURL: server.url });
  const { error } = await failureOf(
    respond(model.session(testContext()), request([user('m1', 'hi')])),
  );
  expectProviderError(error, {
    provider: 'openai.realtime',
    retryable: false,
    hint: /^check OPENAI_BASE_URL; .*pass `ca` or set NODE_EXTRA_CA_CERTS before Node starts$/,
    message: UNTRUSTED,
  });
});

/** Runs the child with the key and base URL in its environment, plus `extra`. */
async function child(extra: Record<string, string>): Promise<{ types?: string[]; error?: string }> {
  const script = fileURLToPath(new URL('./fixtures/realtime-child.ts', import.meta.url));
  const { NODE_EXTRA_CA_CERTS: _inherited, ...env } = process.env;
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...env, OPENAI_API_KEY: SECRET_KEY, OPENAI_BASE_URL: server.url, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), 25_000);
    proc.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  expect(code, err).toBe(0);
  return JSON.parse(out) as { types?: string[]; error?: string };
}

it('NODE_EXTRA_CA_CERTS set before Node starts makes the same server trusted', async () => {
  server.respond({ text: ['Hello.'], audioMs: 100 });
  const trusted = await child({ NODE_EXTRA_CA_CERTS: testTls().caFile });
  expect(trusted).toEqual({ types: ['message_started', 'text', 'audio', 'usage'] });
  const untrusted = await child({});
  expect(untrusted.error).toMatch(UNTRUSTED);
});
