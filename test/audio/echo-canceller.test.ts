/**
 * The echo canceller (WebRTC AEC3 through LiveKit's FFI library) on real speech: espeak
 * renders a far-end sentence (what the speakers play) and a near-end one (the user). The
 * microphone is simulated here: the far end delayed and attenuated as a room would, plus
 * the near end. Nothing is mocked; the native module does the work.
 */
import { describe, expect, it } from 'vitest';
import { EchoCanceller, type EchoCancellerOptions } from '../../src/audio/echo-canceller.js';
import { concatPcm as concat, speechPcm } from '../support/speech-pcm.js';

const RATE = 16000;
const CHUNK = 320; // 20 ms, as the audio child delivers it

/** `pcm` repeated until it is `samples` long. */
function loop(pcm: Int16Array, samples: number): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = pcm[i % pcm.length]!;
  return out;
}

/**
 * What a microphone picks up in a small room: the far end `delayMs` late at `gain`, two
 * weaker reflections, a noise floor near -66 dBFS, plus the near end.
 */
function microphone(far: Int16Array, delayMs: number, gain: number, near?: Int16Array) {
  const delay = (RATE * delayMs) / 1000;
  const taps = [
    [delay, gain],
    [delay + (RATE * 7) / 1000, gain * 0.4],
    [delay + (RATE * 19) / 1000, gain * 0.15],
  ] as const;
  let seed = 12345;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed / 0x7fffffff - 0.5) * 30;
  };
  const out = new Int16Array(far.length);
  for (let i = 0; i < out.length; i++) {
    let echo = 0;
    for (const [lag, g] of taps) if (i >= lag) echo += far[i - lag]! * g;
    const sample = echo + (near?.[i] ?? 0) + noise();
    out[i] = Math.max(-32768, Math.min(32767, Math.round(sample)));
  }
  return out;
}

/** Runs render and capture in 20 ms steps, render first (as the audio child does). */
function run(aec: EchoCanceller, render: Int16Array, capture: Int16Array): Int16Array {
  const out: Int16Array[] = [];
  for (let at = 0; at + CHUNK <= capture.length; at += CHUNK) {
    aec.processRender(render.subarray(at, at + CHUNK));
    out.push(aec.processCapture(capture.subarray(at, at + CHUNK)));
  }
  return concat(out);
}

const energy = (pcm: Int16Array) => pcm.reduce((sum, s) => sum + s * s, 0);

function correlation(a: Int16Array, b: Int16Array): number {
  let ab = 0;
  for (let i = 0; i < a.length; i++) ab += a[i]! * b[i]!;
  return ab / Math.sqrt(energy(a) * energy(b) || 1);
}
const db = (ratio: number) => 10 * Math.log10(ratio);

function withCanceller<T>(fn: (aec: EchoCanceller) => T, options?: Partial<EchoCancellerOptions>) {
  const aec = new EchoCanceller({ sampleRate: RATE, ...options });
  try {
    return fn(aec);
  } finally {
    aec.close();
  }
}

const speech = (text: string, voice: string) => speechPcm(text, { sampleRate: RATE, voice });
const farSpeech = await speech(
  'Welcome to the gaming club. Our coaches run programs every weekday afternoon and on ' +
    'weekends, for children from six to eighteen, with board games and chess.',
  'en-us',
);
const nearSpeech = await speech('Excuse me, I have a question about the prices.', 'en-gb+f3');

describe('EchoCanceller', () => {
  it('removes the delayed echo of the far end from the microphone (≥ 25 dB after 2 s)', () => {
    const far = loop(farSpeech, RATE * 8);
    const mic = microphone(far, 60, 0.5);
    const out = withCanceller((aec) => {
      aec.setStreamDelay(60);
      return run(aec, far, mic);
    });
    expect(out.length).toBe(mic.length);
    const settled = RATE * 2;
    const attenuation = db(energy(mic.subarray(settled)) / energy(out.subarray(settled)));
    console.info(`echo attenuation after 2 s: ${attenuation.toFixed(1)} dB`);
    expect(attenuation).toBeGreaterThanOrEqual(25);
  });

  it('finds a longer delay than its hint by itself (400 ms echo, 100 ms hint)', () => {
    const far = loop(farSpeech, RATE * 8);
    const mic = microphone(far, 400, 0.5);
    const out = withCanceller((aec) => {
      aec.setStreamDelay(100);
      return run(aec, far, mic);
    });
    const settled = RATE * 3;
    const attenuation = db(energy(mic.subarray(settled)) / energy(out.subarray(settled)));
    console.info(`echo attenuation, 400 ms delay: ${attenuation.toFixed(1)} dB`);
    expect(attenuation).toBeGreaterThanOrEqual(20);
  });

  it('lets near-end speech through when the speakers are silent (within 3 dB)', () => {
    // 4 s of far-end echo first, so the canceller has adapted to a room.
    const lead = RATE * 4;
    const far = new Int16Array(lead + nearSpeech.length + RATE);
    far.set(loop(farSpeech, lead));
    const near = new Int16Array(far.length);
    near.set(nearSpeech, lead);
    const mic = microphone(far, 60, 0.5, near);
    const out = withCanceller((aec) => run(aec, far, mic));
    const part = (pcm: Int16Array) => pcm.subarray(lead + RATE / 5, lead + nearSpeech.length);
    const change = db(energy(part(out)) / energy(part(mic)));
    console.info(`near-end speech level after the canceller: ${change.toFixed(1)} dB`);
    expect(Math.abs(change)).toBeLessThanOrEqual(3);
  });

  it('keeps the near end while both talk, and not the echo', () => {
    const lead = RATE * 4;
    const far = loop(farSpeech, lead + nearSpeech.length + RATE);
    const near = new Int16Array(far.length);
    near.set(nearSpeech, lead);
    const echo = microphone(far, 60, 0.5);
    const mic = microphone(far, 60, 0.5, near);
    const out = withCanceller((aec) => run(aec, far, mic));
    // The canceller delays the microphone a little (measured: 8 ms AEC3 + 6 ms noise
    // suppression), so compare at the best lag up to 30 ms.
    const span = nearSpeech.length;
    const at = (pcm: Int16Array, lag: number) => pcm.subarray(lead + lag, lead + lag + span);
    const lags = Array.from({ length: (RATE * 30) / 1000 }, (_, lag) => lag);
    const lag = lags.reduce((a, b) =>
      correlation(at(out, b), at(near, 0)) > correlation(at(out, a), at(near, 0)) ? b : a,
    );
    const keptNear = correlation(at(out, lag), at(near, 0));
    const keptEcho = correlation(at(out, lag), at(echo, 0));
    const micEcho = correlation(at(mic, 0), at(echo, 0));
    console.info(
      `double talk: correlation with the near end ${keptNear.toFixed(2)} (lag ${lag} samples), ` +
        `with the echo ${keptEcho.toFixed(2)} (microphone: ${micEcho.toFixed(2)})`,
    );
    expect(keptNear).toBeGreaterThanOrEqual(0.5);
    expect(Math.abs(keptEcho)).toBeLessThanOrEqual(0.15);
  });

  it('returns whole 10 ms frames for any chunk size and keeps the rest for the next call', () => {
    withCanceller((aec) => {
      expect(aec.frameSamples).toBe(160);
      expect(aec.processCapture(new Int16Array(100)).length).toBe(0);
      expect(aec.processCapture(new Int16Array(300)).length).toBe(320);
      expect(aec.processCapture(new Int16Array(75)).length).toBe(0);
      expect(aec.processCapture(new Int16Array(5)).length).toBe(160);
      aec.processRender(new Int16Array(230)); // a partial render frame is kept too
    });
  });

  it('works at 48 kHz and 22.05 kHz (frames of rate / 100 samples)', () => {
    for (const sampleRate of [48000, 22050]) {
      withCanceller(
        (aec) => {
          expect(aec.frameSamples).toBe(Math.floor(sampleRate / 100));
          aec.processRender(new Int16Array(aec.frameSamples * 3));
          expect(aec.processCapture(new Int16Array(aec.frameSamples * 3)).length).toBe(
            aec.frameSamples * 3,
          );
        },
        { sampleRate },
      );
    }
  });

  it('rejects a sample rate it cannot run and any use after close()', () => {
    expect(() => new EchoCanceller({ sampleRate: 4000 })).toThrow(/8000–48000 Hz, got 4000/);
    const aec = new EchoCanceller({ sampleRate: RATE });
    aec.close();
    aec.close();
    expect(aec.closed).toBe(true);
    expect(() => aec.processCapture(new Int16Array(160))).toThrow(/after close/);
    expect(() => aec.processRender(new Int16Array(160))).toThrow(/after close/);
    expect(() => aec.setStreamDelay(50)).toThrow(/after close/);
  });
});
