import type { AudioFrame } from '../audio/frame.js';

/** Microphone-like source of user audio. */
export interface AudioInput {
  readonly label: string;
  readonly sampleRate: number;
  /** Frames until the input closes or the signal aborts. */
  frames(signal: AbortSignal): AsyncIterable<AudioFrame>;
}
