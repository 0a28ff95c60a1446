/** A block of 16-bit PCM audio. Mono unless `channels` says otherwise. */
export interface AudioFrame {
  readonly data: Int16Array;
  readonly sampleRate: number;
  readonly channels: number;
  /** Samples per channel in `data`. */
  readonly samplesPerChannel: number;
}

export function createFrame(data: Int16Array, sampleRate: number, channels = 1): AudioFrame {
  return { data, sampleRate, channels, samplesPerChannel: data.length / channels };
}

export function frameDurationMs(frame: AudioFrame): number {
  return (frame.samplesPerChannel / frame.sampleRate) * 1000;
}

export function silenceFrame(durationMs: number, sampleRate: number): AudioFrame {
  return createFrame(new Int16Array(Math.round((durationMs / 1000) * sampleRate)), sampleRate);
}

/** A sine tone: audible, deterministic stand-in audio for fakes and tests. */
export function toneFrame(
  durationMs: number,
  sampleRate: number,
  hz = 440,
  amplitude = 8000,
  startSample = 0,
): AudioFrame {
  const n = Math.round((durationMs / 1000) * sampleRate);
  const data = new Int16Array(n);
  const period = tonePeriod(hz, sampleRate, amplitude);
  if (period) {
    // Copy whole stretches of the period: no sine per sample (a replay makes hours of tone).
    let offset = startSample % period.length;
    for (let i = 0; i < n; ) {
      const take = Math.min(period.length - offset, n - i);
      data.set(period.subarray(offset, offset + take), i);
      i += take;
      offset = 0;
    }
  } else {
    const w = (2 * Math.PI * hz) / sampleRate;
    for (let i = 0; i < n; i++) data[i] = Math.round(amplitude * Math.sin(w * (startSample + i)));
  }
  return createFrame(data, sampleRate);
}

const MAX_PERIOD_SAMPLES = 48_000;
const MAX_CACHED_TONES = 64;
/** One period of each tone made so far, by hz/rate/amplitude (fakes use a handful of tones). */
const tonePeriods = new Map<string, Int16Array>();

/**
 * The samples of one period of a whole-number tone at a whole-number rate (the tone repeats
 * exactly every rate / gcd(hz, rate) samples), or undefined when there is no short period.
 */
function tonePeriod(hz: number, sampleRate: number, amplitude: number): Int16Array | undefined {
  if (!Number.isInteger(hz) || !Number.isInteger(sampleRate) || hz <= 0 || sampleRate <= 0) {
    return undefined;
  }
  const key = `${hz}/${sampleRate}/${amplitude}`;
  let period = tonePeriods.get(key);
  if (period) return period;
  const length = sampleRate / gcd(hz, sampleRate);
  if (length > MAX_PERIOD_SAMPLES) return undefined;
  period = new Int16Array(length);
  const w = (2 * Math.PI * hz) / sampleRate;
  for (let i = 0; i < length; i++) period[i] = Math.round(amplitude * Math.sin(w * i));
  if (tonePeriods.size >= MAX_CACHED_TONES) tonePeriods.clear();
  tonePeriods.set(key, period);
  return period;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Root-mean-square level of a frame, 0..1. */
export function frameRms(frame: AudioFrame): number {
  if (frame.data.length === 0) return 0;
  let sum = 0;
  for (const s of frame.data) sum += s * s;
  return Math.sqrt(sum / frame.data.length) / 32768;
}

/** Averages interleaved channels into one (mono frames are returned as they are). */
export function downmix(frame: AudioFrame): AudioFrame {
  if (frame.channels <= 1) return frame;
  const n = frame.samplesPerChannel;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < frame.channels; c++) sum += frame.data[i * frame.channels + c] ?? 0;
    out[i] = Math.round(sum / frame.channels);
  }
  return createFrame(out, frame.sampleRate);
}

/** Linear-interpolation resampler for mono s16 (good enough for speech-band audio). */
export function resampleFrame(frame: AudioFrame, toRate: number): AudioFrame {
  if (frame.sampleRate === toRate) return frame;
  const ratio = frame.sampleRate / toRate;
  const outLen = Math.floor(frame.samplesPerChannel / ratio);
  const out = new Int16Array(outLen);
  const src = frame.data;
  for (let i = 0; i < outLen; i++) {
    const pos = i * ratio;
    const i0 = Math.floor(pos);
    const i1 = Math.min(i0 + 1, src.length - 1);
    const frac = pos - i0;
    out[i] = Math.round((src[i0] ?? 0) * (1 - frac) + (src[i1] ?? 0) * frac);
  }
  return createFrame(out, toRate);
}
