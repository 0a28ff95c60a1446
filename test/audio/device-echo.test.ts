/**
 * Echo cancellation through the real audio child on the PulseAudio virtual card: a private
 * speaker/microphone pair whose speaker is looped back into its microphone
 * (module-loopback), as laptop speakers are heard by the laptop's microphone. Speech is
 * played through `openDeviceAudio` and the microphone frames it delivers are measured,
 * with the canceller on, off, and with LiveKit's FFI library made unloadable.
 * Skipped when the card is unreachable, unless CI is set: then a missing card fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeviceAudio, openDeviceAudio } from '../../src/audio/device-audio.js';
import { createFrame } from '../../src/runtime/audio/frame.js';
import { type PrivateCard, privateCard } from '../e2e/dev-console.card.js';
import { speechPcm } from '../support/speech-pcm.js';
import { loudMs, loudWindows, probeVirtualCard } from '../support/virtual-card.js';

const RATE = 16000;
const card = await probeVirtualCard();
const mustRun = Boolean(process.env.CI);
const skip = !card.available && !mustRun;
if (skip) console.warn(`echo cancellation device tests skipped: ${card.reason}`);

/** Rejects after `ms`: every wait here is bounded, and generous (the machine is loaded). */
function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Heard {
  readonly audio: DeviceAudio;
  /** Microphone samples from the moment the speech was heard to when it finished. */
  readonly duringSpeech: Int16Array;
}

interface ListenOptions {
  readonly echoCancellation?: boolean;
  readonly env?: Record<string, string>;
  /** Someone talks into the microphone this long after the speech is first heard. */
  readonly user?: { readonly afterMs: number; readonly say: () => Promise<void> };
}

/**
 * Opens the devices, waits for the microphone, plays `speech` once and returns what the
 * microphone delivered while it was heard. The devices are closed before returning.
 */
async function playAndListen(
  speech: Int16Array,
  options: ListenOptions,
  env: Record<string, string>,
): Promise<Heard> {
  const audio = await openDeviceAudio({
    env: { ...env, ...options.env },
    startTimeoutMs: 30_000,
    ...(options.echoCancellation !== undefined
      ? { echoCancellation: options.echoCancellation }
      : {}),
  });
  const reader = new AbortController();
  const mic: Int16Array[] = [];
  let firstFrame: () => void = () => {};
  const listening = new Promise<void>((resolve) => {
    firstFrame = resolve;
  });
  let startedAt = -1;
  let userTalking: Promise<void> | undefined;
  const userAfterFrames = (options.user?.afterMs ?? 0) / 20;
  const reading = (async () => {
    for await (const frame of audio.input.frames(reader.signal)) {
      mic.push(frame.data);
      firstFrame();
      // Timed by the microphone's own sample count, not a wall clock.
      if (options.user && !userTalking && startedAt >= 0) {
        if (mic.length - startedAt >= userAfterFrames) userTalking = options.user.say();
      }
    }
  })();
  try {
    await bounded(listening, 30_000, 'the first microphone frame');
    const finished = new Promise<void>((resolve) => {
      audio.output.onPlayback((event) => {
        if (event.type === 'started') startedAt = mic.length;
        if (event.type === 'finished') resolve();
      });
    });
    for (let at = 0; at < speech.length; at += 320) {
      await audio.output.captureFrame(createFrame(speech.slice(at, at + 320), RATE));
    }
    audio.output.flush();
    await bounded(finished, 60_000, 'the speech to finish playing');
    await userTalking;
    const endAt = mic.length;
    const frames = mic.slice(Math.max(0, startedAt), endAt);
    const duringSpeech = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of frames) {
      duringSpeech.set(f, at);
      at += f.length;
    }
    return { audio, duringSpeech };
  } finally {
    reader.abort();
    await audio.close();
    await reading;
  }
}

const energy = (pcm: Int16Array) => pcm.reduce((sum, s) => sum + s * s, 0);
const db = (ratio: number) => 10 * Math.log10(ratio);

/** The longest run of loud 10 ms windows: a VAD needs 100 ms of speech in a row to start. */
function longestLoudMs(pcm: Int16Array): number {
  const step = RATE / 100;
  let longest = 0;
  let run = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (const start of loudWindows(pcm, RATE)) {
    run = start - last === step ? run + 1 : 1;
    last = start;
    longest = Math.max(longest, run);
  }
  return longest * 10;
}

describe.skipIf(skip)('echo cancellation on the virtual card, speaker looped into the mic', () => {
  let room: PrivateCard;
  let speech: Int16Array;

  beforeAll(async () => {
    if (!card.available) {
      throw new Error(`CI is set but the virtual card is missing: ${card.reason}`);
    }
    speech = await speechPcm(
      'Welcome to the gaming club. Our coaches run programs every weekday afternoon and on ' +
        'weekends, for children from six to eighteen, with board games, video games and chess.',
      { sampleRate: RATE },
    );
    room = await privateCard(card.env, `aec${process.pid}`);
    await room.loopback();
  }, 60_000);

  afterAll(async () => {
    await room?.close();
  });

  it('removes the speech the speakers play from the microphone (on by default)', async () => {
    const off = await playAndListen(speech, { echoCancellation: false }, room.env);
    expect(off.audio.echoCancellation).toEqual({ state: 'off' });
    // The loop works: without the canceller the microphone hears the agent.
    const loudOff = loudMs(off.duringSpeech, RATE);
    expect(loudOff).toBeGreaterThanOrEqual(2000);

    const on = await playAndListen(speech, {}, room.env);
    expect(on.audio.echoCancellation).toEqual({ state: 'on', streamDelayMs: 160 });
    expect(on.audio.notes).toEqual([]);
    const loudOn = loudMs(on.duringSpeech, RATE);
    const longest = longestLoudMs(on.duringSpeech);
    const attenuation = db(energy(off.duringSpeech) / Math.max(1, energy(on.duringSpeech)));
    console.info(
      `echo at the microphone while the agent speaks, from its first word: ` +
        `${attenuation.toFixed(1)} dB lower with the canceller; loud 10 ms windows ` +
        `${loudOff} ms → ${loudOn} ms, longest run ${longest} ms`,
    );
    // Nothing a VAD would start on (100 ms of speech in a row), and little in all.
    expect(longest).toBeLessThan(100);
    expect(loudOn).toBeLessThanOrEqual(loudOff * 0.05);
  }, 180_000);

  it("still hears the user who talks while the agent's speech is looped back", async () => {
    const user = await speechPcm('Excuse me, I have a question about the prices, please.', {
      sampleRate: RATE,
      voice: 'en-gb+f3',
    });
    // After the canceller's warm-up (the first 2 s of the agent's speech).
    const afterMs = 3000;
    const heard = await playAndListen(
      speech,
      { user: { afterMs, say: () => room.play(user, RATE) } },
      room.env,
    );
    const from = (RATE * afterMs) / 1000;
    const window = heard.duringSpeech.subarray(from, from + user.length + RATE / 2);
    const level = db(energy(window) / energy(user));
    const echoBefore = loudMs(heard.duringSpeech.subarray(0, from), RATE);
    const spoken = loudMs(user, RATE);
    const passed = loudMs(window, RATE);
    console.info(
      `double talk on the card (user as loud as the echo): the user comes through at ` +
        `${level.toFixed(1)} dB, ${passed} ms of the ${spoken} ms they spoke loud, longest ` +
        `run ${longestLoudMs(window)} ms; echo before the user spoke: ${echoBefore} ms loud`,
    );
    // AEC3 lowers the near end while both talk (about -7 dB here); speech at that level is
    // still speech to a VAD, which is what barge-in needs (the e2e test checks barge-in).
    expect(level).toBeGreaterThanOrEqual(-15);
    expect(passed).toBeGreaterThanOrEqual(spoken * 0.25);
    expect(echoBefore).toBeLessThanOrEqual(100);
  }, 120_000);

  it('runs without it, with one note, when the FFI library cannot load', async () => {
    const missing = await playAndListen(
      speech,
      { env: { NAPI_RS_NATIVE_LIBRARY_PATH: '/nonexistent/rtc-node.node' } },
      room.env,
    );
    expect(missing.audio.echoCancellation).toMatchObject({ state: 'unavailable' });
    expect(missing.audio.notes).toEqual([
      expect.stringMatching(
        /^no echo cancellation \(LiveKit's FFI library failed to load: .+\): use headphones/,
      ),
    ]);
    // The devices work as before: the microphone still hears the speakers.
    expect(loudMs(missing.duringSpeech, RATE)).toBeGreaterThanOrEqual(2000);
  }, 120_000);
});
