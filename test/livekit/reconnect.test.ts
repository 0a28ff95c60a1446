/**
 * The double drops the connection abruptly: the adapter either comes back (the server takes
 * the client again) or gives up within its bound with one clear error. Never a hang.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RoomConnectError, type RoomEventMap } from '../../src/livekit/index.js';
import { tone } from './double/media.js';
import { eventually, type Harness, harness, readInput, rmsOf } from './helpers.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

describe('a dropped connection', () => {
  it('comes back when the server takes the client again, and listens to the same participant', async () => {
    h = await harness();
    const alice = h.double.addParticipant('alice');
    void alice.publishAudio(tone(8000, 48_000, 300));
    const conn = await h.connect({ reconnectTimeoutMs: 10_000 });
    const states: RoomEventMap['state'][] = [];
    conn.onState((s) => states.push(s));
    await eventually(() => conn.linkedParticipant === 'alice', 'alice linked');
    const session = await h.double.waitForSession('voxagent');
    session.drop();
    await eventually(() => states.some((s) => s.state === 'reconnecting'), 'reconnecting');
    await eventually(() => conn.state === 'connected', 'reconnected', 10_000);
    expect(states.map((s) => s.state)).toEqual(['reconnecting', 'connected']);
    await eventually(() => conn.linkedParticipant === 'alice', 'alice linked again');
    const frames = await readInput(conn.input, (f) => rmsOf(f.slice(-10)) > 0.05 && f.length > 20);
    expect(rmsOf(frames.slice(-10))).toBeGreaterThan(0.05);
  });

  it('gives up within reconnectTimeoutMs with one clear error when the server is gone', async () => {
    h = await harness();
    const conn = await h.connect({ reconnectTimeoutMs: 1500 });
    const states: RoomEventMap['state'][] = [];
    conn.onState((s) => states.push(s));
    const ac = new AbortController();
    const reading = (async () => {
      for await (const _frame of conn.input.frames(ac.signal)) {
        // nobody publishes: the loop only has to end
      }
    })();
    const t0 = Date.now();
    h.double.drop({ refuseReconnect: true });
    const last = await eventually(
      () => states.find((s) => s.state === 'disconnected'),
      'disconnected',
      8000,
    );
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(states[0]?.state).toBe('reconnecting');
    expect(last.reason).toBe('reconnect_timeout');
    expect(last.error).toBeInstanceOf(RoomConnectError);
    expect(last.error?.message).toMatch(/could not reconnect within 1\.5 s/);
    expect(last.error?.message).not.toMatch(/\n/);
    expect(conn.state).toBe('disconnected');
    await reading;
    expect(states.filter((s) => s.state === 'disconnected')).toHaveLength(1);
  });
});

describe('rtc-node giving up before the bound', () => {
  it('is the same lost connection, in one line that says so', async () => {
    h = await harness();
    const conn = await h.connect({ reconnectTimeoutMs: 60_000 });
    const states: RoomEventMap['state'][] = [];
    conn.onState((s) => states.push(s));
    h.double.drop({ refuseReconnect: 'unauthorized' });
    const last = await eventually(
      () => states.find((s) => s.state === 'disconnected'),
      'rtc-node giving up',
      30_000,
    );
    expect(last.error?.message).toMatch(
      /^lost the connection to the LiveKit server at ws:\/\/127\.0\.0\.1:\d+ and could not reconnect \(gave up after \d+ s: \w+\)$/,
    );
  }, 40_000);
});
