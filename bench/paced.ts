/** Real-time pacing shared by the benchmarks that measure frame lateness (B4, B8). */
import type { AudioFrame, AudioOutput, PlaybackEvent } from 'voxagent';

export const FRAME_MS = 20;

/** Calls `fn` every 20 ms on a drift-free schedule from `offsetMs`; `fn` gets how late it is. */
export function ticker(offsetMs: number, fn: (lateMs: number) => void): () => void {
  const start = performance.now() + offsetMs;
  let k = 0;
  let handle: NodeJS.Timeout;
  const step = () => {
    fn(performance.now() - (start + k * FRAME_MS));
    k++;
    handle = setTimeout(step, Math.max(0, start + k * FRAME_MS - performance.now()));
  };
  handle = setTimeout(step, offsetMs);
  return () => clearTimeout(handle);
}

/**
 * A speaker: plays one frame per 20 ms tick (silence when idle), with backpressure. Each
 * tick reports its lateness and whether a frame was playing.
 */
export class PacedOutput implements AudioOutput {
  readonly label = 'paced output';
  readonly sampleRate = 16000;
  readonly canPause = false;
  readonly #queue: { frame: AudioFrame; played: () => void }[] = [];
  readonly #listeners = new Set<(e: PlaybackEvent) => void>();
  #flushed = false;
  #playedMs = 0;
  readonly stop: () => void;

  constructor(offsetMs: number, onTick: (lateMs: number, playing: boolean) => void) {
    this.stop = ticker(offsetMs, (late) => {
      const next = this.#queue.shift();
      onTick(late, next !== undefined);
      if (next) {
        this.#playedMs += FRAME_MS;
        next.played();
      } else if (this.#flushed) {
        this.#flushed = false;
        this.#report(false);
      }
    });
  }

  captureFrame(frame: AudioFrame): Promise<void> {
    return new Promise((played) => this.#queue.push({ frame, played }));
  }

  flush(): void {
    this.#flushed = true;
  }

  clear(): void {
    for (const q of this.#queue.splice(0)) q.played();
    this.#flushed = false;
    this.#report(true);
  }

  onPlayback(listener: (e: PlaybackEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #report(interrupted: boolean): void {
    const positionMs = this.#playedMs;
    this.#playedMs = 0;
    for (const l of [...this.#listeners]) l({ type: 'finished', positionMs, interrupted });
  }
}
