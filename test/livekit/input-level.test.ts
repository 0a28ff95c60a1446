/**
 * What the agent hears from the room, as `voxagent connect` shows and controls it: the level
 * of the linked participant's microphone (the console's mic meter) and mute (`m`), which
 * stops the agent hearing the room.
 */
import { afterEach, expect, it } from 'vitest';
import { tone } from './double/media.js';
import { eventually, type Harness, harness } from './helpers.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.cleanup();
  h = null;
});

it("meters the participant's microphone, and hears only silence while muted", async () => {
  h = await harness();
  const alice = h.double.addParticipant('alice');
  void alice.publishAudio(tone(20_000, 48_000, 300, 12_000));
  const conn = await h.connect();
  expect(conn.input.level()).toBe(0);
  const ac = new AbortController();
  let frames = 0;
  let loudWhileMuted = 0;
  // A frame read just before muting may still arrive after it: count from the next one.
  let mutedAfter = Number.POSITIVE_INFINITY;
  const reading = (async () => {
    for await (const frame of conn.input.frames(ac.signal)) {
      frames++;
      if (conn.input.muted && frames > mutedAfter + 1 && frame.data.some((s) => s !== 0)) {
        loudWhileMuted++;
      }
    }
  })();
  try {
    // A 300 Hz tone at 12000/32768 peak: RMS about 0.26.
    await eventually(() => conn.input.level() > 0.15, 'the tone on the meter');
    mutedAfter = frames;
    conn.input.setMuted(true);
    expect(conn.input.muted).toBe(true);
    expect(conn.input.level()).toBe(0);
    // Frames keep coming (so speech under way ends for the VAD), but they are silent.
    const before = frames;
    await eventually(() => frames > before + 5, 'silent frames while muted');
    expect(loudWhileMuted).toBe(0);
    expect(conn.input.level()).toBe(0);
    conn.input.setMuted(false);
    const unmutedAt = frames;
    await eventually(() => frames > unmutedAt + 5, 'frames again after unmuting');
    await eventually(() => conn.input.level() > 0.15, 'the meter again');
  } finally {
    ac.abort();
    await reading;
  }
  // Nobody speaking (the participant left): the meter falls back to zero.
  alice.leave();
  await eventually(() => conn.input.level() === 0, 'a quiet meter once alice is gone');
});
