import { type AudioFrame, createFrame, downmix, resampleFrame } from '../runtime/audio/frame.js';

export { downmix };

/** Mono s16 at `sampleRate`, whatever the frame was. */
export function toMonoAt(frame: AudioFrame, sampleRate: number): AudioFrame {
  return resampleFrame(downmix(frame), sampleRate);
}

/** Cuts mono PCM into frames of `frameMs` (the last one may be shorter). */
export function* sliceFrames(
  pcm: Int16Array,
  sampleRate: number,
  frameMs: number,
): Generator<AudioFrame> {
  const size = Math.max(1, Math.round((sampleRate * frameMs) / 1000));
  for (let i = 0; i < pcm.length; i += size) {
    yield createFrame(pcm.slice(i, Math.min(pcm.length, i + size)), sampleRate);
  }
}

/** Root-mean-square of s16 samples, 0..1. */
export function rms(pcm: Int16Array): number {
  if (pcm.length === 0) return 0;
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return Math.sqrt(sum / pcm.length) / 32768;
}
