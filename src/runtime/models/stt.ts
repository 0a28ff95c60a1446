import type { AudioFrame } from '../audio/frame.js';
import type { ModelCallContext } from './context.js';

export type STTEvent =
  | { readonly type: 'start_of_speech' }
  | { readonly type: 'interim'; readonly text: string }
  | { readonly type: 'final'; readonly text: string; readonly latencyMs?: number }
  | { readonly type: 'end_of_speech' };

export interface STT {
  readonly label: string;
  /** The sample rate it wants its input frames in. */
  readonly sampleRate: number;
  recognize(frames: AsyncIterable<AudioFrame>, ctx: ModelCallContext): AsyncIterable<STTEvent>;
}
