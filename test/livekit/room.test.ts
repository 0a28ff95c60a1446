/**
 * The room adapter against the loopback LiveKit double, with the real @livekit/rtc-node
 * client: audio both ways, chat, participants coming and going, transcriptions.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ATTR_FINAL,
  ATTR_SEGMENT_ID,
  ATTR_TRACK_ID,
  type RoomEventMap,
} from '../../src/livekit/index.js';
import { toneFrame } from '../../src/runtime/audio/frame.js';
import type { PlaybackEvent } from '../../src/runtime/io/audio-output.js';
import { audibleMs, tone, wavBytes } from './double/media.js';
import { eventually, type Harness, harness, readInput, rmsOf } from './helpers.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

describe('connectRoom against the LiveKit double', () => {
  it('joins the room and publishes the agent as a microphone track', async () => {
    h = await harness();
    const conn = await h.connect();
    expect(conn.state).toBe('connected');
    const session = await h.double.waitForSession('voxagent');
    expect(session.publishedTrackSids).toHaveLength(1);
    expect(conn.output.canPause).toBe(false);
    expect(h.logs.some((l) => l.message.includes('joined room "test-room"'))).toBe(true);
  });

  it('plays the agent speech into the room: non-silent PCM of the right length', async () => {
    h = await harness();
    h.double.addParticipant('listener');
    const conn = await h.connect();
    const session = await h.double.waitForSession('voxagent');
    const events: PlaybackEvent[] = [];
    conn.output.onPlayback((e) => events.push(e));
    const rate = conn.output.sampleRate;
    for (let i = 0; i < 50; i++)
      await conn.output.captureFrame(toneFrame(20, rate, 440, 8000, i * (rate / 50)));
    conn.output.flush();
    const finished = await eventually(
      () => events.find((e) => e.type === 'finished'),
      'playback finished',
    );
    expect(events[0]).toEqual({ type: 'started' });
    expect(finished).toMatchObject({ interrupted: false });
    expect(finished.type === 'finished' && finished.positionMs).toBeCloseTo(1000, -1);
    const heard = await session.waitFor(() => {
      const pcm = session.capturedAudio();
      return pcm && audibleMs(pcm) >= 950 ? pcm : null;
    }, 'the agent audio at the double');
    const ms = audibleMs(heard);
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThanOrEqual(1100);
  });

  it('clear() stops at once and reports the position heard', async () => {
    h = await harness();
    h.double.addParticipant('listener');
    const conn = await h.connect();
    const events: PlaybackEvent[] = [];
    conn.output.onPlayback((e) => events.push(e));
    const rate = conn.output.sampleRate;
    // 800 ms of audio goes into the source's queue well ahead of real time.
    for (let i = 0; i < 40; i++) await conn.output.captureFrame(toneFrame(20, rate));
    conn.output.clear();
    const finished = events.find((e) => e.type === 'finished');
    expect(finished?.type === 'finished' && finished.interrupted).toBe(true);
    expect(finished?.type === 'finished' && finished.positionMs).toBeLessThan(800);
    conn.output.flush(); // nothing left: no second report
    expect(events.filter((e) => e.type === 'finished')).toHaveLength(1);
  });

  it("hears a participant's microphone on the input (16 kHz mono, non-zero RMS)", async () => {
    h = await harness();
    const alice = h.double.addParticipant('alice');
    // A WAV file at 16 kHz, the way a recorded fixture would be published.
    const wav = join(mkdtempSync(join(tmpdir(), 'lk-double-')), 'alice.wav');
    writeFileSync(wav, wavBytes(tone(3000, 16_000, 300)));
    void alice.publishAudio(wav);
    const conn = await h.connect();
    expect(conn.input.sampleRate).toBe(16_000);
    await eventually(() => conn.linkedParticipant === 'alice', 'alice linked');
    const frames = await readInput(conn.input, (f) => rmsOf(f.slice(-10)) > 0.05 && f.length > 20);
    expect(rmsOf(frames.slice(-10))).toBeGreaterThan(0.05);
  });

  it('delivers lk.chat text to onText', async () => {
    h = await harness();
    const bob = h.double.addParticipant('bob');
    const conn = await h.connect();
    const texts: RoomEventMap['text'][] = [];
    conn.onText((t) => texts.push(t));
    bob.sendChat('what is the weather?');
    const t = await eventually(() => texts[0], 'chat text');
    expect(t).toEqual({ identity: 'bob', text: 'what is the weather?', topic: 'lk.chat' });
  });

  it('picks up a participant who joins later, and reports when they leave', async () => {
    h = await harness();
    const conn = await h.connect();
    const joined: string[] = [];
    const left: string[] = [];
    const linked: (string | null)[] = [];
    conn.onParticipantJoined((p) => joined.push(p.identity));
    conn.onParticipantLeft((p) => left.push(p.identity));
    conn.on('linked', (l) => linked.push(l.identity));
    expect(conn.linkedParticipant).toBeNull();
    const carol = h.double.addParticipant('carol');
    void carol.publishAudio(tone(3000, 48_000, 350));
    await eventually(() => joined.includes('carol'), 'carol joined');
    await eventually(() => conn.linkedParticipant === 'carol', 'carol linked');
    const frames = await readInput(conn.input, (f) => rmsOf(f.slice(-10)) > 0.05 && f.length > 20);
    expect(rmsOf(frames.slice(-10))).toBeGreaterThan(0.05);
    carol.leave();
    await eventually(() => left.includes('carol'), 'carol left');
    await eventually(() => conn.linkedParticipant === null, 'carol unlinked');
    // The track goes first (linked to nobody's track), then the participant.
    expect(linked[0]).toBe('carol');
    expect(linked.at(-1)).toBeNull();
  });

  it('listens only to --participant when given', async () => {
    h = await harness();
    const dave = h.double.addParticipant('dave');
    const erin = h.double.addParticipant('erin');
    void dave.publishAudio(tone(3000, 48_000, 300));
    void erin.publishAudio(tone(3000, 48_000, 400));
    const conn = await h.connect({ participant: 'erin' });
    await eventually(() => conn.linkedParticipant === 'erin', 'erin linked');
    expect(conn.participants.map((p) => p.identity).sort()).toEqual(['dave', 'erin']);
  });

  it('reports a muted and unmuted microphone', async () => {
    h = await harness();
    const fay = h.double.addParticipant('fay');
    void fay.publishAudio(tone(2000, 48_000));
    const conn = await h.connect();
    const mutes: RoomEventMap['trackMuted'][] = [];
    conn.on('trackMuted', (m) => mutes.push(m));
    await eventually(() => conn.linkedParticipant === 'fay', 'fay linked');
    fay.setMuted(true);
    await eventually(() => mutes.length === 1, 'muted');
    fay.setMuted(false);
    await eventually(() => mutes.length === 2, 'unmuted');
    expect(mutes.map((m) => [m.identity, m.source, m.muted])).toEqual([
      ['fay', 'microphone', true],
      ['fay', 'microphone', false],
    ]);
  });

  it('publishes transcriptions of both sides on lk.transcription with LiveKit attributes', async () => {
    h = await harness();
    const gus = h.double.addParticipant('gus');
    void gus.publishAudio(tone(2000, 48_000));
    const conn = await h.connect();
    const session = await h.double.waitForSession('voxagent');
    await eventually(() => conn.linkedParticipant === 'gus', 'gus linked');
    await conn.transcriptions.user('hello', false);
    await conn.transcriptions.user('hello there', true);
    await conn.transcriptions.agent('speech_1', 'Hi! How can I help?', true);
    const got = await session.waitFor(() => {
      const t = session.texts.filter((x) => x.topic === 'lk.transcription');
      return t.length >= 3 ? t : null;
    }, 'three transcription streams');
    const [u1, u2, a1] = got;
    expect(u1).toMatchObject({ from: 'gus', text: 'hello' });
    expect(u1?.attributes[ATTR_FINAL]).toBe('false');
    expect(u2).toMatchObject({ from: 'gus', text: 'hello there' });
    expect(u2?.attributes[ATTR_FINAL]).toBe('true');
    expect(u2?.attributes[ATTR_SEGMENT_ID]).toBe(u1?.attributes[ATTR_SEGMENT_ID]);
    expect(u1?.attributes[ATTR_TRACK_ID]).toBe(gus.micTrackSid);
    expect(a1).toMatchObject({ from: 'voxagent', text: 'Hi! How can I help?' });
    expect(a1?.attributes[ATTR_SEGMENT_ID]).toBe('SG_speech_1');
    expect(a1?.attributes[ATTR_TRACK_ID]).toBe(session.publishedTrackSids[0]);
  });

  it('close() leaves the room, ends the input and reports disconnected once', async () => {
    h = await harness();
    const conn = await h.connect();
    const session = await h.double.waitForSession('voxagent');
    const states: RoomEventMap['state'][] = [];
    conn.onState((s) => states.push(s));
    const ac = new AbortController();
    const reading = (async () => {
      for await (const _ of conn.input.frames(ac.signal)) {
        // no participant: nothing arrives; close() must end the loop
      }
    })();
    await conn.close();
    await conn.close();
    await reading;
    expect(states).toEqual([{ state: 'disconnected', reason: 'closed', error: null }]);
    await session.waitFor(() => session.closed, 'the double to see the agent leave');
  });
});
