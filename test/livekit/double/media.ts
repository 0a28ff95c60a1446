/**
 * Audio plumbing of the LiveKit double: Opus over RTP (payload type 111, 48 kHz) both ways,
 * RED unwrapping, PCM helpers and a WAV reader. Test-only.
 */
import { readFileSync } from 'node:fs';
import OpusScript from 'opusscript';

export const OPUS_PT = 111;
export const RED_PT = 63;
export const OPUS_RATE = 48_000;
/** 20 ms at 48 kHz: the frame size the double sends. */
export const FRAME_SAMPLES = 960;

export interface Pcm {
  readonly samples: Int16Array;
  readonly sampleRate: number;
}

/** Builds one RTP packet (version 2, no CSRC, no extension). */
export function rtpPacket(opts: {
  payloadType: number;
  seq: number;
  timestamp: number;
  ssrc: number;
  payload: Uint8Array;
  marker?: boolean;
}): Buffer {
  const head = Buffer.alloc(12);
  head[0] = 0x80;
  head[1] = (opts.marker ? 0x80 : 0) | (opts.payloadType & 0x7f);
  head.writeUInt16BE(opts.seq & 0xffff, 2);
  head.writeUInt32BE(opts.timestamp >>> 0, 4);
  head.writeUInt32BE(opts.ssrc >>> 0, 8);
  return Buffer.concat([head, opts.payload]);
}

export interface RtpView {
  readonly payloadType: number;
  readonly seq: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly payload: Buffer;
}

/** Parses an RTP packet; returns null for RTCP or anything too short. */
export function parseRtp(buf: Buffer): RtpView | null {
  if (buf.length < 12 || buf[0]! >> 6 !== 2) return null;
  const pt = buf[1]! & 0x7f;
  // RTCP packet types 200..206 land on 72..78 once the marker bit is masked off.
  if (pt >= 72 && pt <= 78) return null;
  const cc = buf[0]! & 0x0f;
  let off = 12 + cc * 4;
  if (buf[0]! & 0x10) {
    if (buf.length < off + 4) return null;
    const words = buf.readUInt16BE(off + 2);
    off += 4 + words * 4;
  }
  let end = buf.length;
  if (buf[0]! & 0x20) end -= buf[buf.length - 1]!;
  if (off > end) return null;
  return {
    payloadType: pt,
    seq: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payload: buf.subarray(off, end),
  };
}

/** RFC 2198: the primary (last) block of a RED payload. */
export function redPrimary(payload: Buffer): Buffer {
  let off = 0;
  let redundantBytes = 0;
  while (off < payload.length && payload[off]! & 0x80) {
    redundantBytes += ((payload[off + 2]! & 0x03) << 8) | payload[off + 3]!;
    off += 4;
  }
  off += 1; // the final one-byte header of the primary block
  return payload.subarray(off + redundantBytes);
}

/** Decodes the Opus RTP stream of one SSRC into 48 kHz mono PCM. */
export class OpusSink {
  readonly #decoder = new OpusScript(OPUS_RATE, 1, OpusScript.Application.VOIP);
  readonly #chunks: Int16Array[] = [];
  #samples = 0;
  #closed = false;

  /** Decodes one packet; returns its PCM (null if there was nothing to decode). */
  push(rtp: RtpView): Int16Array | null {
    if (this.#closed) return null;
    const payload = rtp.payloadType === RED_PT ? redPrimary(rtp.payload) : rtp.payload;
    if (payload.length === 0) return null;
    const out = this.#decoder.decode(payload);
    const pcm = new Int16Array(out.buffer, out.byteOffset, out.byteLength / 2).slice();
    this.#chunks.push(pcm);
    this.#samples += pcm.length;
    return pcm;
  }

  get sampleCount(): number {
    return this.#samples;
  }

  pcm(): Pcm {
    const all = new Int16Array(this.#samples);
    let at = 0;
    for (const c of this.#chunks) {
      all.set(c, at);
      at += c.length;
    }
    return { samples: all, sampleRate: OPUS_RATE };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#decoder.delete();
  }
}

/** Encodes 48 kHz mono PCM into 20 ms Opus frames. */
export function encodeOpusFrames(pcm: Pcm): Buffer[] {
  const samples = pcm.sampleRate === OPUS_RATE ? pcm.samples : resample(pcm, OPUS_RATE).samples;
  const encoder = new OpusScript(OPUS_RATE, 1, OpusScript.Application.VOIP);
  const frames: Buffer[] = [];
  try {
    for (let at = 0; at < samples.length; at += FRAME_SAMPLES) {
      const frame = new Int16Array(FRAME_SAMPLES);
      frame.set(samples.subarray(at, Math.min(at + FRAME_SAMPLES, samples.length)));
      frames.push(Buffer.from(encoder.encode(Buffer.from(frame.buffer), FRAME_SAMPLES)));
    }
  } finally {
    encoder.delete();
  }
  return frames;
}

export function resample(pcm: Pcm, toRate: number): Pcm {
  if (pcm.sampleRate === toRate) return pcm;
  const ratio = pcm.sampleRate / toRate;
  const n = Math.floor(pcm.samples.length / ratio);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const pos = i * ratio;
    const i0 = Math.floor(pos);
    const i1 = Math.min(i0 + 1, pcm.samples.length - 1);
    const f = pos - i0;
    out[i] = Math.round((pcm.samples[i0] ?? 0) * (1 - f) + (pcm.samples[i1] ?? 0) * f);
  }
  return { samples: out, sampleRate: toRate };
}

export function tone(ms: number, sampleRate = OPUS_RATE, hz = 440, amplitude = 8000): Pcm {
  const n = Math.round((ms / 1000) * sampleRate);
  const samples = new Int16Array(n);
  const w = (2 * Math.PI * hz) / sampleRate;
  for (let i = 0; i < n; i++) samples[i] = Math.round(amplitude * Math.sin(w * i));
  return { samples, sampleRate };
}

export function rms(samples: Int16Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length) / 32768;
}

/**
 * Milliseconds between the first and the last 10 ms window whose RMS is above `threshold`:
 * the length of the audible part of a capture, whatever silence surrounds it.
 */
export function audibleMs(pcm: Pcm, threshold = 0.01): number {
  const win = Math.round(pcm.sampleRate / 100);
  let first = -1;
  let last = -1;
  for (let at = 0, k = 0; at + win <= pcm.samples.length; at += win, k++) {
    if (rms(pcm.samples.subarray(at, at + win)) > threshold) {
      if (first < 0) first = k;
      last = k;
    }
  }
  return first < 0 ? 0 : (last - first + 1) * 10;
}

/** Reads a 16-bit PCM WAV file (mono or the first channel of several). */
export function readWav(path: string): Pcm {
  const buf = readFileSync(path);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${path}: not a WAV file`);
  }
  let off = 12;
  let channels = 1;
  let sampleRate = 0;
  let bits = 0;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      channels = buf.readUInt16LE(body + 2);
      sampleRate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
    } else if (id === 'data') {
      if (bits !== 16) throw new Error(`${path}: only 16-bit PCM is supported`);
      const frames = Math.floor(size / (2 * channels));
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = buf.readInt16LE(body + i * 2 * channels);
      return { samples, sampleRate };
    }
    off = body + size + (size % 2);
  }
  throw new Error(`${path}: no data chunk`);
}

/** Writes 16-bit mono PCM as a WAV buffer (for fixtures made on the fly). */
export function wavBytes(pcm: Pcm): Buffer {
  const data = Buffer.from(pcm.samples.buffer, pcm.samples.byteOffset, pcm.samples.byteLength);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVEfmt ', 8, 'ascii');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(pcm.sampleRate, 24);
  head.writeUInt32LE(pcm.sampleRate * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36, 'ascii');
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}
