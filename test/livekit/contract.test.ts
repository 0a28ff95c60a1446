/**
 * Protocol contract with the pinned @livekit/rtc-node. The double is written against what
 * this client sends; if an upgrade changes the signal flow, these fail first and say what
 * moved. After an upgrade: re-check test/livekit/double/ against the new client, then update
 * the pins here.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClientInfo_SDK, TrackSource, TrackType } from '@livekit/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { captureRtcLogs } from '../../src/livekit/index.js';
import { offeredSections } from './double/sdp.js';
import { type Harness, harness } from './helpers.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

const require = createRequire(import.meta.url);
const rtcDist = dirname(require.resolve('@livekit/rtc-node'));

describe('rtc-node contract', () => {
  it('is the pinned version', () => {
    const pkg = JSON.parse(readFileSync(join(rtcDist, '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(pkg.version, 'rtc-node changed: re-check the LiveKit double, then update this pin').toBe(
      '1.1.0',
    );
  });

  it('joins with the v1 signal path: one GET /rtc/v1?join_request=… carrying the first offer', async () => {
    h = await harness();
    await h.connect();
    const session = await h.double.waitForSession('voxagent');
    const first = h.double.attempts[0];
    expect(first).toMatchObject({
      path: '/rtc/v1',
      queryKeys: ['join_request'],
      authScheme: 'Bearer',
      status: 101,
    });
    const jr = first?.joinRequest;
    expect(jr?.reconnect).toBe(false);
    expect(jr?.clientInfo?.sdk).toBe(ClientInfo_SDK.NODE);
    expect(jr?.clientInfo?.version).toBe('1.1.0');
    expect(jr?.clientInfo?.protocol).toBe(17);
    expect(jr?.connectionSettings?.autoSubscribe).toBe(true);
    const sections = offeredSections(jr?.publisherOffer?.sdp ?? '');
    expect(sections.map((s) => `${s.kind}:${s.direction}`)).toEqual([
      'audio:recvonly',
      'audio:recvonly',
      'audio:recvonly',
      'video:recvonly',
      'video:recvonly',
      'video:recvonly',
      'application:sendrecv',
    ]);
    await session.waitFor(() => session.dataChannels.length >= 2, 'client data channels');
    expect(session.dataChannels).toEqual(expect.arrayContaining(['_reliable', '_lossy']));
    // Publishing the agent: addTrack (audio, microphone), then a re-offer for it.
    expect(session.addTracks).toHaveLength(1);
    expect(session.addTracks[0]).toMatchObject({
      type: TrackType.AUDIO,
      source: TrackSource.MICROPHONE,
    });
    await session.waitFor(
      () => session.requests.slice(session.requests.indexOf('addTrack')).includes('offer'),
      're-offer after addTrack',
    );
  });

  it("takes over rtc-node's logger: its lines reach our log, not stdout", async () => {
    expect(captureRtcLogs(), 'rtc-node/dist/log.cjs or pino symbols moved').toBe(true);
    h = await harness();
    await h.connect();
    expect(h.logs).toContainEqual({ level: 'debug', message: 'rtc: Connect callback received' });
  });

  it('a process that joins a room writes nothing to stdout but its own output', async () => {
    h = await harness();
    const child = fileURLToPath(new URL('./fixtures/connect-child.ts', import.meta.url));
    const proc = spawn(process.execPath, ['--import', 'tsx', child], {
      env: {
        ...process.env,
        DOUBLE_URL: h.double.url,
        DOUBLE_KEY: h.double.apiKey,
        DOUBLE_SECRET: h.double.apiSecret,
      },
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
      const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      proc.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code, err).toBe(0);
    expect(out).toBe('READY\n');
    expect(err).toContain('rtc: Connect callback received');
  });
});
