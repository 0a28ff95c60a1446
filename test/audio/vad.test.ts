import { beforeAll, describe, expect, it } from 'vitest';
import { EnergyVAD } from '../../src/audio/energy-vad.js';
import { EspeakTTS } from '../../src/audio/espeak-tts.js';
import { createOfflineVAD } from '../../src/audio/offline-vad.js';
import { sliceFrames } from '../../src/audio/pcm.js';
import { SileroVAD } from '../../src/audio/silero-vad.js';
import { SpeechGate } from '../../src/audio/speech-gate.js';
import { type AudioFrame, createFrame, resampleFrame } from '../../src/runtime/audio/frame.js';
import { VirtualClock } from '../../src/runtime/clock/virtual-clock.js';
import type { VAD, VADEvent } from '../../src/runtime/models/vad.js';

const RATE = 16000;

/** Deterministic low noise (about -50 dBFS). */
function noise(samples: number, amplitude = 200, seed = 1): Int16Array {
  const out = new Int16Array(samples);
  let x = seed;
  for (let i = 0; i < samples; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = Math.round((x / 2147483648 - 0.5) * 2 * amplitude);
  }
  return out;
}

interface Timed {
  readonly event: VADEvent;
  /** Audio fed to the VAD when it emitted the event. */
  readonly atMs: number;
}

async function run(vad: VAD, pcm: Int16Array, rate = RATE, frameMs = 20): Promise<Timed[]> {
  let fed = 0;
  async function* frames(): AsyncIterable<AudioFrame> {
    for (const frame of sliceFrames(pcm, rate, frameMs)) {
      fed += frame.samplesPerChannel;
      yield frame;
    }
  }
  const out: Timed[] = [];
  const ctx = { clock: new VirtualClock(), signal: new AbortController().signal };
  for await (const event of vad.detect(frames(), ctx))
    out.push({ event, atMs: (fed / rate) * 1000 });
  return out;
}

const types = (events: Timed[]) => events.map((e) => e.event.type).filter((t) => t !== 'speaking');

/** 1 s of noise, a spoken sentence, 1.5 s of noise; where the voice starts and ends. */
let scene: { pcm: Int16Array; voiceStartMs: number; voiceEndMs: number };

beforeAll(async () => {
  const tts = new EspeakTTS({ sampleRate: RATE });
  const speech: Int16Array[] = [];
  const ctx = { clock: new VirtualClock(), signal: new AbortController().signal };
  async function* text() {
    yield 'Hello there, how are you doing today?';
  }
  for await (const a of tts.synthesize(text(), ctx)) speech.push(a.frame.data);
  const voice = new Int16Array(speech.reduce((n, s) => n + s.length, 0));
  let offset = 0;
  for (const s of speech) {
    voice.set(s, offset);
    offset += s.length;
  }
  const pcm = noise(RATE + voice.length + 1.5 * RATE);
  for (let i = 0; i < voice.length; i++) pcm[RATE + i]! += voice[i]!;
  const loud = (s: number) => Math.abs(s) > 1000;
  const first = voice.findIndex(loud);
  let last = voice.length - 1;
  while (last > 0 && !loud(voice[last]!)) last--;
  scene = {
    pcm,
    voiceStartMs: 1000 + (first / RATE) * 1000,
    voiceEndMs: 1000 + (last / RATE) * 1000,
  };
});

describe.each([
  ['SileroVAD', () => SileroVAD.create()],
  ['EnergyVAD', async () => new EnergyVAD()],
])('%s', (_name, make) => {
  it('trips on speech: one start and one end, at about the right times', async () => {
    const events = await run(await make(), scene.pcm);
    expect(types(events)).toEqual(['start_of_speech', 'end_of_speech']);
    const start = events.find((e) => e.event.type === 'start_of_speech')!;
    const end = events.find((e) => e.event.type === 'end_of_speech')!;
    // Start: after min speech (100 ms) plus a window; end: after the 550 ms hangover.
    expect(start.atMs).toBeGreaterThanOrEqual(scene.voiceStartMs);
    expect(start.atMs).toBeLessThan(scene.voiceStartMs + 400);
    expect(end.atMs).toBeGreaterThan(scene.voiceEndMs + 400);
    expect(end.atMs).toBeLessThan(scene.voiceEndMs + 1000);
    const voiceMs = scene.voiceEndMs - scene.voiceStartMs;
    const speechMs = end.event.type === 'end_of_speech' ? end.event.speechMs : 0;
    expect(Math.abs(speechMs - voiceMs)).toBeLessThan(400);
  });

  it('sends speaking events about every 100 ms with growing speechMs', async () => {
    const events = await run(await make(), scene.pcm);
    const speaking = events.flatMap((e) => (e.event.type === 'speaking' ? [e.event.speechMs] : []));
    expect(speaking.length).toBeGreaterThan(5);
    for (let i = 1; i < speaking.length; i++) {
      expect(speaking[i]!).toBeGreaterThanOrEqual(speaking[i - 1]! + 100);
    }
  });

  it('stays quiet on silence and low noise', async () => {
    expect(await run(await make(), new Int16Array(3 * RATE))).toEqual([]);
    expect(await run(await make(), noise(3 * RATE, 300, 7))).toEqual([]);
  });

  it('takes any rate and channel count (48 kHz stereo here)', async () => {
    const up = resampleFrame(createFrame(scene.pcm, RATE), 48000).data;
    const stereo = new Int16Array(up.length * 2);
    for (let i = 0; i < up.length; i++) stereo[2 * i] = stereo[2 * i + 1] = up[i]!;
    let fed = 0;
    async function* frames(): AsyncIterable<AudioFrame> {
      for (let i = 0; i < stereo.length; i += 1920) {
        const data = stereo.slice(i, i + 1920);
        fed += data.length / 2;
        yield createFrame(data, 48000, 2);
      }
    }
    const ctx = { clock: new VirtualClock(), signal: new AbortController().signal };
    const seen: string[] = [];
    for await (const event of (await make()).detect(frames(), ctx)) {
      if (event.type !== 'speaking') seen.push(event.type);
    }
    expect(fed).toBe(up.length);
    expect(seen).toEqual(['start_of_speech', 'end_of_speech']);
  });

  it('stops when the signal aborts', async () => {
    const abort = new AbortController();
    const ctx = { clock: new VirtualClock(), signal: abort.signal };
    async function* frames(): AsyncIterable<AudioFrame> {
      yield* sliceFrames(scene.pcm, RATE, 20);
    }
    const seen: VADEvent[] = [];
    for await (const event of (await make()).detect(frames(), ctx)) {
      seen.push(event);
      if (event.type === 'start_of_speech') abort.abort();
    }
    expect(seen).toEqual([{ type: 'start_of_speech' }]);
  });
});

describe('SpeechGate', () => {
  const options = {
    activationThreshold: 0.5,
    deactivationThreshold: 0.35,
    minSpeechMs: 60,
    minSilenceMs: 100,
    speakingIntervalMs: 40,
  };
  const feed = (gate: SpeechGate, probabilities: number[]) =>
    probabilities.flatMap((p) => gate.push(p, 20));

  it('needs minSpeechMs of speech to start and counts it into speechMs', () => {
    const gate = new SpeechGate(options);
    expect(feed(gate, [0.9, 0.9, 0.1, 0.9, 0.9])).toEqual([]);
    expect(feed(gate, [0.9])).toEqual([{ type: 'start_of_speech' }]);
    expect(feed(gate, [0.9, 0.9])).toEqual([{ type: 'speaking', speechMs: 100 }]);
  });

  it('keeps speaking in the hysteresis band and ends after minSilenceMs', () => {
    const gate = new SpeechGate(options);
    feed(gate, [0.9, 0.9, 0.9]);
    // 0.4 is between the thresholds: neither speech nor silence.
    expect(feed(gate, [0.4, 0.4, 0.4, 0.4, 0.4, 0.4]).map((e) => e.type)).not.toContain(
      'end_of_speech',
    );
    expect(feed(gate, [0.1, 0.1, 0.1, 0.1])).toEqual([]);
    expect(feed(gate, [0.1])).toEqual([{ type: 'end_of_speech', speechMs: 180 }]);
  });

  it('end() closes speech in progress once', () => {
    const gate = new SpeechGate(options);
    feed(gate, [0.9, 0.9, 0.9, 0.9]);
    expect(gate.end()).toEqual([{ type: 'end_of_speech', speechMs: 80 }]);
    expect(gate.end()).toEqual([]);
  });
});

describe('createOfflineVAD', () => {
  it('uses Silero when onnxruntime and the model load', async () => {
    const made = await createOfflineVAD();
    expect(made.kind).toBe('silero');
    expect(made.vad.label).toBe('silero');
  });

  it('falls back to the energy VAD with a reason', async () => {
    const made = await createOfflineVAD({ silero: { modelPath: '/nonexistent/silero.onnx' } });
    expect(made.kind).toBe('energy');
    expect(made.vad).toBeInstanceOf(EnergyVAD);
    expect(made.kind === 'energy' && made.reason).toMatch(
      /^Silero VAD unavailable \(.*nonexistent.*\); using the energy VAD$/,
    );
  });
});
