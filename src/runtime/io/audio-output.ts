import type { AudioFrame } from '../audio/frame.js';

export type PlaybackEvent =
  | { readonly type: 'started' }
  | {
      readonly type: 'finished';
      /** Milliseconds of the segment that were actually heard. */
      readonly positionMs: number;
      readonly interrupted: boolean;
    };

/**
 * Where the agent's speech goes: speakers, a LiveKit track, an avatar, or a fake.
 * A segment is the frames between two `flush()`/`clear()` calls.
 */
export interface AudioOutput {
  readonly label: string;
  readonly sampleRate: number;
  /** Whether `pause()`/`resume()` really hold playback (used for false-interruption resume). */
  readonly canPause: boolean;
  /** May return a promise to apply backpressure. */
  captureFrame(frame: AudioFrame): void | Promise<void>;
  /** No more frames for the current segment: play what is buffered, then report `finished`. */
  flush(): void;
  /** Stop now and drop what is buffered; a reporting output then reports `finished` at once. */
  clear(): void;
  pause?(): void;
  resume?(): void;
  /** Optional: told which speech the next frames belong to (for labelling and transcripts). */
  beginSegment?(speechId: string): void;
  /** Subscribes to playback reports; returns the unsubscribe function. */
  onPlayback(listener: (event: PlaybackEvent) => void): () => void;
}
