/**
 * Mistakes a user can make end in one clear line, fast: missing settings, nothing at the URL,
 * something that is not LiveKit, a refused token, a room that does not exist, a server that
 * never answers.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRoom, RoomConnectError, resolveRoomSettings } from '../../src/livekit/index.js';
import { UsageError } from '../../src/runtime/core/errors.js';
import { LiveKitDouble } from './double/server.js';
import { ROOM } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const noop = () => undefined;

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failure(p: Promise<unknown>): Promise<RoomConnectError | UsageError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const e = err as UsageError;
    expect(e.message).not.toMatch(/\n/);
    return e;
  }
  throw new Error('expected a failure');
}

const base = {
  apiKey: 'devkey',
  apiSecret: 'a-secret-that-must-not-leak',
  room: ROOM,
  identity: 'voxagent',
  log: noop,
  env: {},
};

describe('settings', () => {
  it('names every missing setting with its flag and variable, in one line', () => {
    expect(() => resolveRoomSettings({}, {})).toThrow(
      /missing LiveKit settings: --url \(or LIVEKIT_URL\), --api-key \(or LIVEKIT_API_KEY\), --api-secret \(or LIVEKIT_API_SECRET\)/,
    );
    expect(() => resolveRoomSettings({ url: 'ws://x' }, { LIVEKIT_API_KEY: 'k' })).toThrow(
      /missing LiveKit settings: --api-secret \(or LIVEKIT_API_SECRET\);/,
    );
  });

  it('takes settings from the environment and turns http(s) into ws(s)', () => {
    const s = resolveRoomSettings(
      {},
      { LIVEKIT_URL: 'https://lk.example.com/', LIVEKIT_API_KEY: 'k', LIVEKIT_API_SECRET: 's' },
    );
    expect(s).toEqual({ url: 'wss://lk.example.com', apiKey: 'k', apiSecret: 's' });
  });

  it('refuses a URL that is not one', () => {
    expect(() =>
      resolveRoomSettings({ url: 'localhost:7880', apiKey: 'k', apiSecret: 's' }, {}),
    ).toThrow(/must start with ws:\/\//);
    expect(() =>
      resolveRoomSettings({ url: 'not a url', apiKey: 'k', apiSecret: 's' }, {}),
    ).toThrow(/is not a URL/);
  });

  it('connectRoom fails on missing settings before touching the network', async () => {
    const e = await failure(
      connectRoom({ ...base, apiSecret: undefined, url: 'ws://127.0.0.1:9' }),
    );
    expect(e.message).toMatch(/LIVEKIT_API_SECRET/);
  });
});

describe('connect failures', () => {
  it('no server at the URL: fails fast naming the URL', async () => {
    const tcp = createTcpServer();
    const url = await listen(tcp);
    await new Promise<void>((r) => tcp.close(() => r()));
    const t0 = Date.now();
    const e = await failure(connectRoom({ ...base, url }));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(e).toBeInstanceOf(RoomConnectError);
    expect((e as RoomConnectError).kind).toBe('unreachable');
    expect(e.message).toContain(url);
    expect(e.message).toMatch(/^no LiveKit server at ws:\S+ \(connection refused\)/);
  });

  it('an HTTP server that is not LiveKit', async () => {
    const url = await listen(
      createHttpServer((_req, res) => res.writeHead(200).end('<html>hi</html>')),
    );
    const e = await failure(connectRoom({ ...base, url }));
    expect((e as RoomConnectError).kind).toBe('not_livekit');
    expect(e.message).toMatch(/does not look like a LiveKit server/);
  });

  it('a server that accepts the connection but never answers: bounded by connectTimeoutMs', async () => {
    const sockets: Socket[] = [];
    const url = await listen(createTcpServer((s) => sockets.push(s)));
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
    });
    const t0 = Date.now();
    const e = await failure(connectRoom({ ...base, url, connectTimeoutMs: 1000 }));
    expect(Date.now() - t0).toBeLessThan(2500);
    expect((e as RoomConnectError).kind).toBe('timeout');
    expect(e.message).toMatch(/within 1 s/);
  });

  it('a wrong API secret is refused (401) with a line naming the key and secret settings', async () => {
    const double = await LiveKitDouble.start({ rooms: [ROOM] });
    cleanups.push(() => double.stop());
    const e = await failure(connectRoom({ ...base, url: double.url, apiKey: double.apiKey }));
    expect((e as RoomConnectError).kind).toBe('unauthorized');
    expect(e.message).toMatch(/refused the access token \(401/);
    expect(e.message).toMatch(/LIVEKIT_API_SECRET/);
    expect(e.message).not.toContain(base.apiSecret);
    expect(double.sessions).toHaveLength(0);
  });

  it('a room the server does not have is refused (404) with a line naming the room', async () => {
    const double = await LiveKitDouble.start({ rooms: [ROOM] });
    cleanups.push(() => double.stop());
    const e = await failure(
      connectRoom({
        ...base,
        url: double.url,
        apiKey: double.apiKey,
        apiSecret: double.apiSecret,
        room: 'elsewhere',
      }),
    );
    expect((e as RoomConnectError).kind).toBe('room_not_found');
    expect(e.message).toMatch(/room "elsewhere" does not exist/);
    expect(double.attempts.some((a) => a.status === 404)).toBe(true);
  });
});
