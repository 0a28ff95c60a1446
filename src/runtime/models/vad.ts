import type { AudioFrame } from '../audio/frame.js';
import type { ModelCallContext } from './context.js';

export type VADEvent =
  | { readonly type: 'start_of_speech' }
  /** Sent while speech goes on, so the runtime can apply a minimum interruption duration. */
  | { readonly type: 'speaking'; readonly speechMs: number }
  | { readonly type: 'end_of_speech'; readonly speechMs: number };

export interface VAD {
  readonly label: string;
  readonly sampleRate: number;
  detect(frames: AsyncIterable<AudioFrame>, ctx: ModelCallContext): AsyncIterable<VADEvent>;
}
