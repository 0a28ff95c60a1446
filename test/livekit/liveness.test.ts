/**
 * A server that hangs (nothing closes, nothing answers) shows as a lost connection within
 * 2–3 s, from the peer connection's consent checks, instead of looking connected until
 * rtc-node's signal ping times out (14 s against the double, 8–10 s against a real server).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectRoom, type RoomConnection, type RoomEventMap } from '../../src/livekit/index.js';
import { consentCounts, ServerLiveness } from '../../src/livekit/liveness.js';
import { type DoubleProcess, startDoubleProcess } from './double/process.js';
import { eventually } from './helpers.js';

describe('the verdict from consent checks', () => {
  it('answering while checks are answered; not answering after three unanswered', () => {
    const judge = new ServerLiveness();
    expect(judge.update({ requestsSent: 3, responsesReceived: 3 })).toBe('answering');
    // A check in flight at the moment of reading is normal.
    expect(judge.update({ requestsSent: 4, responsesReceived: 3 })).toBe('answering');
    expect(judge.update({ requestsSent: 5, responsesReceived: 5 })).toBe('answering');
    expect(judge.update({ requestsSent: 7, responsesReceived: 5 })).toBe('answering');
    expect(judge.update({ requestsSent: 8, responsesReceived: 5 })).toBe('not_answering');
    expect(judge.update({ requestsSent: 20, responsesReceived: 5 })).toBe('not_answering');
    expect(judge.update({ requestsSent: 21, responsesReceived: 6 })).toBe('answering');
    // Counts that go down: a new peer connection after a reconnect starts afresh.
    expect(judge.update({ requestsSent: 2, responsesReceived: 1 })).toBe('answering');
  });

  it('reads the nominated pairs of both peer connections', () => {
    const pair = (nominated: boolean, sent: number, answered: number) => ({
      stats: {
        case: 'candidatePair',
        value: {
          candidatePair: {
            nominated,
            requestsSent: BigInt(sent),
            responsesReceived: BigInt(answered),
          },
        },
      },
    });
    const counts = consentCounts({
      publisherStats: [pair(true, 5, 4), pair(false, 50, 0), { stats: { case: 'transport' } }],
      subscriberStats: [pair(true, 2, 2)],
    });
    expect(counts).toEqual({ requestsSent: 7, responsesReceived: 6 });
    expect(consentCounts({ publisherStats: [] })).toBeNull();
  });
});

describe('a server that hangs', () => {
  let server: DoubleProcess | undefined;
  let conn: RoomConnection | undefined;
  afterEach(async () => {
    await conn?.close();
    await server?.stop();
    conn = undefined;
    server = undefined;
  });

  it('is reported lost within 3 s (4 s allowed on a busy machine), and connected again when it answers', async () => {
    server = await startDoubleProcess({ rooms: ['test-room'], participants: ['alice'] });
    const logs: string[] = [];
    conn = await connectRoom({
      url: server.url,
      apiKey: server.apiKey,
      apiSecret: server.apiSecret,
      room: 'test-room',
      identity: 'voxagent',
      env: {},
      log: (level, message) => logs.push(`${level} ${message}`),
    });
    const states: (RoomEventMap['state'] & { at: number })[] = [];
    conn.onState((s) => states.push({ ...s, at: Date.now() }));
    // Let the connection settle into its steady consent checks.
    await new Promise((r) => setTimeout(r, 1500));
    const frozenAt = Date.now();
    server.freeze();
    const lost = await eventually(
      () => states.find((s) => s.state === 'reconnecting'),
      'the lost connection',
      10_000,
    );
    const tookMs = lost.at - frozenAt;
    if (process.env.E2E_VERBOSE) console.log(`lost after ${tookMs} ms`);
    expect(lost.reason).toBe('server_not_answering');
    expect(tookMs).toBeLessThan(4000);
    expect(logs.some((l) => /^warn livekit: the server at .* stopped answering$/.test(l))).toBe(
      true,
    );
    server.thaw();
    await eventually(() => conn?.state === 'connected', 'connected again', 15_000);
    expect(states.at(-1)?.state).toBe('connected');
  }, 40_000);
});
