import { describe, expect, it } from 'vitest';
import { EspeakTTS } from '../../src/audio/espeak-tts.js';
import { rms } from '../../src/audio/pcm.js';
import { parseWav } from '../../src/audio/wav.js';
import { frameDurationMs } from '../../src/runtime/audio/frame.js';
import { VirtualClock } from '../../src/runtime/clock/virtual-clock.js';
import type { SynthesizedAudio } from '../../src/runtime/models/tts.js';

async function* pieces(...texts: string[]): AsyncIterable<string> {
  yield* texts;
}

function context(signal = new AbortController().signal) {
  return { clock: new VirtualClock(), signal };
}

async function collect(tts: EspeakTTS, texts: string[]): Promise<SynthesizedAudio[]> {
  const out: SynthesizedAudio[] = [];
  for await (const audio of tts.synthesize(pieces(...texts), context())) out.push(audio);
  return out;
}

function join(frames: SynthesizedAudio[]): Int16Array {
  const all = new Int16Array(frames.reduce((n, a) => n + a.frame.data.length, 0));
  let offset = 0;
  for (const a of frames) {
    all.set(a.frame.data, offset);
    offset += a.frame.data.length;
  }
  return all;
}

const durationMs = (frames: SynthesizedAudio[]) =>
  frames.reduce((ms, a) => ms + frameDurationMs(a.frame), 0);

describe('EspeakTTS', () => {
  it('speaks each piece as non-silent 20 ms frames tagged with its index, in order', async () => {
    const tts = new EspeakTTS();
    const texts = ['Hello world.', '', '-Second piece, with "quotes".'];
    const audio = await collect(tts, texts);
    const indices = audio.map((a) => a.textIndex);
    expect(indices).toEqual([...indices].sort((x, y) => x - y));
    expect(new Set(indices)).toEqual(new Set([0, 2]));
    for (const a of audio) {
      expect(a.frame.sampleRate).toBe(22050);
      expect(a.frame.channels).toBe(1);
      expect(frameDurationMs(a.frame)).toBeLessThanOrEqual(20.01);
    }
    expect(audio.filter((a) => frameDurationMs(a.frame) < 19.9).length).toBeLessThanOrEqual(2);
    for (const index of [0, 2]) {
      const piece = audio.filter((a) => a.textIndex === index);
      expect(rms(join(piece))).toBeGreaterThan(0.02);
    }
    // "Hello world." at 175 wpm: about a second, trailing pause included.
    const hello = durationMs(audio.filter((a) => a.textIndex === 0));
    expect(hello).toBeGreaterThan(500);
    expect(hello).toBeLessThan(2500);
    expect(durationMs(audio.filter((a) => a.textIndex === 2))).toBeGreaterThan(hello);
  });

  it('resamples to the requested rate and follows the speaking rate', async () => {
    const text = ['The quick brown fox jumps over the lazy dog.'];
    const slow = await collect(new EspeakTTS({ sampleRate: 16000, rate: 120 }), text);
    const fast = await collect(new EspeakTTS({ sampleRate: 16000, rate: 300 }), text);
    expect(slow[0]!.frame.sampleRate).toBe(16000);
    expect(slow[0]!.frame.samplesPerChannel).toBe(320);
    expect(durationMs(fast)).toBeLessThan(durationMs(slow) * 0.7);
  });

  it('stops when the signal aborts', async () => {
    const tts = new EspeakTTS();
    const abort = new AbortController();
    let frames = 0;
    for await (const _ of tts.synthesize(pieces('One.', 'Two.', 'Three.'), context(abort.signal))) {
      frames++;
      if (frames === 3) abort.abort();
    }
    expect(frames).toBe(3);
  });

  it('fails with a ProviderError that names espeak for an unknown voice', async () => {
    const tts = new EspeakTTS({ voice: 'xx-nope' });
    await expect(collect(tts, ['Hello.'])).rejects.toMatchObject({
      name: 'ProviderError',
      provider: 'espeak-ng',
      message: expect.stringContaining('voice'),
    });
  });
});

describe('parseWav', () => {
  it('reads 16-bit PCM and trusts the file length when the data size is unset', () => {
    const header = new DataView(new ArrayBuffer(44));
    const ascii = (offset: number, text: string) => {
      for (let i = 0; i < 4; i++) header.setUint8(offset + i, text.charCodeAt(i));
    };
    ascii(0, 'RIFF');
    ascii(8, 'WAVE');
    ascii(12, 'fmt ');
    header.setUint32(16, 16, true);
    header.setUint16(20, 1, true);
    header.setUint16(22, 1, true);
    header.setUint32(24, 22050, true);
    header.setUint16(34, 16, true);
    ascii(36, 'data');
    header.setUint32(40, 0xffffffff, true);
    const bytes = new Uint8Array(48);
    bytes.set(new Uint8Array(header.buffer));
    new DataView(bytes.buffer).setInt16(44, -1234, true);
    new DataView(bytes.buffer).setInt16(46, 567, true);
    const wav = parseWav(bytes);
    expect(wav.sampleRate).toBe(22050);
    expect([...wav.samples]).toEqual([-1234, 567]);
    expect(() => parseWav(new Uint8Array(10))).toThrow(/RIFF/);
  });
});
