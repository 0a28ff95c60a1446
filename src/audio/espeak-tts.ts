import { createFrame } from '../runtime/audio/frame.js';
import type { ModelCallContext } from '../runtime/models/context.js';
import { ProviderError } from '../runtime/models/context.js';
import type { SynthesizedAudio, TTS } from '../runtime/models/tts.js';
import { espeakToWav, preloadEspeak } from './espeak-wasm.js';
import { sliceFrames, toMonoAt } from './pcm.js';
import { parseWav } from './wav.js';

/** espeak-ng writes 22050 Hz mono. */
export const ESPEAK_SAMPLE_RATE = 22050;

export interface EspeakTTSOptions {
  /** espeak-ng voice, e.g. `en-us`, `en-gb`, `de`, `en-us+f3`. Default `en-us`. */
  readonly voice?: string;
  /** Words per minute (espeak `-s`, 80..450). Default 175. */
  readonly rate?: number;
  /** Pitch 0..99 (espeak `-p`). Default 50. */
  readonly pitch?: number;
  /** Output rate; resampled from 22050 when different. Default 22050. */
  readonly sampleRate?: number;
  /** Frame length. Default 20 ms. */
  readonly frameMs?: number;
}

/**
 * Offline TTS with the espeak-ng WASM build: no network, no system packages. Each text
 * piece is synthesised whole (eSpeak is much faster than real time), then cut into frames
 * tagged with the piece's index. Robotic, but good enough for a console agent and tests.
 *
 * Synthesis runs on the calling thread and blocks it for about 0.1 s per piece.
 */
export class EspeakTTS implements TTS {
  readonly label = 'espeak-ng';
  readonly sampleRate: number;
  readonly #args: readonly string[];
  readonly #frameMs: number;

  constructor(options: EspeakTTSOptions = {}) {
    this.sampleRate = options.sampleRate ?? ESPEAK_SAMPLE_RATE;
    this.#frameMs = options.frameMs ?? 20;
    const rate = clamp(options.rate ?? 175, 80, 450);
    const pitch = clamp(options.pitch ?? 50, 0, 99);
    this.#args = ['-v', options.voice ?? 'en-us', '-s', String(rate), '-p', String(pitch)];
  }

  /** Loads the WASM ahead of the first utterance (otherwise the first one pays for it). */
  async warmUp(): Promise<void> {
    await preloadEspeak();
  }

  async *synthesize(
    text: AsyncIterable<string>,
    ctx: ModelCallContext,
  ): AsyncIterable<SynthesizedAudio> {
    let textIndex = -1;
    for await (const piece of text) {
      textIndex++;
      if (ctx.signal.aborted) return;
      if (piece.trim() === '') continue;
      const pcm = await this.#render(piece);
      if (ctx.signal.aborted) return;
      for (const frame of sliceFrames(pcm, this.sampleRate, this.#frameMs)) {
        yield { frame, textIndex };
        if (ctx.signal.aborted) return;
      }
    }
  }

  async #render(piece: string): Promise<Int16Array> {
    let bytes: Uint8Array;
    try {
      bytes = await espeakToWav(piece, this.#args);
    } catch (error) {
      throw new ProviderError('espeak-ng', error instanceof Error ? error.message : String(error), {
        hint: 'check the voice name (espeak-ng --voices lists them)',
        cause: error,
      });
    }
    const wav = parseWav(bytes);
    const frame = createFrame(wav.samples, wav.sampleRate, wav.channels);
    return toMonoAt(frame, this.sampleRate).data;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(value)));
}
