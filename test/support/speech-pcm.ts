/** Real speech for audio tests: espeak-ng (WASM, offline) rendered to mono s16 PCM. */
import { EspeakTTS } from '../../src/audio/espeak-tts.js';
import { VirtualClock } from '../../src/runtime/clock/virtual-clock.js';

export async function speechPcm(
  text: string,
  options: { sampleRate: number; voice?: string },
): Promise<Int16Array> {
  const tts = new EspeakTTS({ sampleRate: options.sampleRate, voice: options.voice ?? 'en-us' });
  const parts: Int16Array[] = [];
  async function* one() {
    yield text;
  }
  const ctx = { clock: new VirtualClock(), signal: new AbortController().signal };
  for await (const audio of tts.synthesize(one(), ctx)) parts.push(audio.frame.data);
  return concatPcm(parts);
}

export function concatPcm(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
