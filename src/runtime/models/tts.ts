import type { AudioFrame } from '../audio/frame.js';
import type { ModelCallContext } from './context.js';

/**
 * Audio produced by a TTS stream. `textIndex` is the index of the input text piece this
 * audio speaks, so the runtime can tell which words were heard before an interruption.
 */
export interface SynthesizedAudio {
  readonly frame: AudioFrame;
  readonly textIndex: number;
}

export interface TTS {
  readonly label: string;
  readonly sampleRate: number;
  /**
   * Streamed text in (the runtime sends one sentence at a time, as soon as the LLM has
   * produced it and there is room ahead of playout), PCM out, in input order. Speak each
   * piece without waiting for later text: the runtime holds text back while enough audio is
   * ahead (`maxSynthesisAheadMs`), and stops reading audio meanwhile.
   */
  synthesize(text: AsyncIterable<string>, ctx: ModelCallContext): AsyncIterable<SynthesizedAudio>;
}
