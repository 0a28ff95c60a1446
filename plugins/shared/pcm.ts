import { type AudioFrame, createFrame, resampleFrame } from '../../src/runtime/audio/frame.js';

/**
 * Cuts a stream of little-endian s16 mono bytes into frames of `frameMs`. Network chunks
 * split samples anywhere, even between the two bytes of one sample, so a remainder is kept.
 */
export class PcmChunker {
  readonly #sampleRate: number;
  readonly #frameBytes: number;
  #pending: Buffer = Buffer.alloc(0);

  constructor(sampleRate: number, frameMs = 20) {
    this.#sampleRate = sampleRate;
    this.#frameBytes = Math.max(2, Math.round((sampleRate * frameMs) / 1000) * 2);
  }

  /** Frames completed by `bytes`. */
  push(bytes: Uint8Array): AudioFrame[] {
    this.#pending =
      this.#pending.length === 0
        ? Buffer.from(bytes)
        : Buffer.concat([this.#pending, Buffer.from(bytes)]);
    const frames: AudioFrame[] = [];
    while (this.#pending.length >= this.#frameBytes) {
      frames.push(this.#toFrame(this.#pending.subarray(0, this.#frameBytes)));
      this.#pending = this.#pending.subarray(this.#frameBytes);
    }
    return frames;
  }

  /** The last, shorter frame (an odd trailing byte is dropped: it is half a sample). */
  flush(): AudioFrame | undefined {
    const usable = this.#pending.length - (this.#pending.length % 2);
    const rest = this.#pending.subarray(0, usable);
    this.#pending = Buffer.alloc(0);
    return rest.length > 0 ? this.#toFrame(rest) : undefined;
  }

  #toFrame(bytes: Buffer): AudioFrame {
    const samples = new Int16Array(bytes.length / 2);
    for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
    return createFrame(samples, this.#sampleRate);
  }
}

/** Mono s16 little-endian bytes of a frame, resampled to `sampleRate` if needed. */
export function frameBytes(frame: AudioFrame, sampleRate: number): Buffer {
  const mono = frame.channels === 1 ? frame : downmix(frame);
  const resampled = resampleFrame(mono, sampleRate);
  const out = Buffer.alloc(resampled.data.length * 2);
  for (let i = 0; i < resampled.data.length; i++) out.writeInt16LE(resampled.data[i]!, i * 2);
  return out;
}

function downmix(frame: AudioFrame): AudioFrame {
  const out = new Int16Array(frame.samplesPerChannel);
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let c = 0; c < frame.channels; c++) sum += frame.data[i * frame.channels + c] ?? 0;
    out[i] = Math.round(sum / frame.channels);
  }
  return createFrame(out, frame.sampleRate);
}

/** A RIFF/WAVE file holding mono s16 PCM. */
export function encodeWav(pcm: Buffer, sampleRate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
