import { type Deferred, deferred } from '../core/deferred.js';
import type { Segment } from './playout.js';
import { DEFAULT_MS_PER_CHAR } from './sentences.js';

/** What the bound reads of a step's text pieces (see generation.ts). */
interface PieceAudio {
  readonly text: string;
  readonly audioMs: number;
}

/**
 * Keeps synthesis at most `maxAheadMs` of audio ahead of playout:
 * - a text piece goes to the TTS only while the audio still to be heard, plus the expected
 *   audio of pieces handed over whose audio has not started, fits in the bound;
 * - audio is taken from the TTS only while what was written and not heard fits in it.
 * The played position is the segment's, on the session clock: a paused speech holds both,
 * and an abort (interruption) releases both at once. Nothing here waits forever as long as
 * the TTS speaks every piece it was given without waiting for later text.
 */
export class SynthesisAhead {
  readonly #segment: Segment;
  readonly #pieces: readonly PieceAudio[];
  readonly #maxAheadMs: number;
  readonly #signal: AbortSignal;
  /** Pieces handed to the TTS in the current attempt. */
  #handed = 0;
  /** The piece whose audio arrives now: earlier ones are complete. */
  #speaking = -1;
  #completeMs = 0;
  #completeChars = 0;
  /** Settles when a new piece starts sounding (the expected audio changed) or on close. */
  #progress: Deferred<void> | undefined;
  #closed = false;

  constructor(
    segment: Segment,
    pieces: readonly PieceAudio[],
    maxAheadMs: number,
    signal: AbortSignal,
  ) {
    this.#segment = segment;
    this.#pieces = pieces;
    this.#maxAheadMs = maxAheadMs;
    this.#signal = signal;
  }

  /** A new attempt: the TTS hears everything again from the first piece. */
  restart(): void {
    this.#handed = 0;
  }

  /** Resolves when the next piece may go to the TTS; undefined when it may go now. */
  roomForText(): Promise<void> | undefined {
    return this.#hasRoomForText() ? undefined : this.#waitForRoomForText();
  }

  /** The next piece went to the TTS. */
  handedOne(): void {
    this.#handed++;
  }

  /**
   * Resolves when more audio may be taken; undefined when it may be taken now. Once over the
   * bound it waits for playout to get a little below it (a tenth, at most a second), so a
   * saturated step wakes about once a second instead of once a frame.
   */
  roomForAudio(): Promise<void> | undefined {
    if (this.#segment.unplayedMs() <= this.#maxAheadMs) return undefined;
    const resumeAt = this.#maxAheadMs - Math.min(1000, this.#maxAheadMs / 10);
    return this.#segment.whenUnplayedAtMost(resumeAt, this.#signal);
  }

  /** Audio of piece `index` arrived: the pieces before it are complete. */
  heard(index: number): void {
    if (index <= this.#speaking) return;
    for (let i = Math.max(0, this.#speaking); i < index; i++) {
      const piece = this.#pieces[i];
      if (!piece || piece.audioMs <= 0) continue;
      this.#completeMs += piece.audioMs;
      this.#completeChars += piece.text.length;
    }
    this.#speaking = index;
    this.#wake();
  }

  /** The step is over: nothing waits any more. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #hasRoomForText(): boolean {
    if (this.#signal.aborted) return false;
    return this.#closed || this.#segment.unplayedMs() <= this.#maxAheadMs - this.#expectedMs();
  }

  async #waitForRoomForText(): Promise<void> {
    for (;;) {
      if (this.#signal.aborted) throw this.#signal.reason;
      const room = this.#maxAheadMs - this.#expectedMs();
      if (this.#closed || this.#segment.unplayedMs() <= room) return;
      // Whichever comes first: a piece starting (the room changes), playout catching up
      // (when there is room at all), or the abort. Listeners live only while waiting.
      const stop = new AbortController();
      const onAbort = () => stop.abort(this.#signal.reason);
      this.#signal.addEventListener('abort', onAbort, { once: true });
      const aborted = new Promise<never>((_, reject) => {
        stop.signal.addEventListener('abort', () => reject(stop.signal.reason), { once: true });
      });
      aborted.catch(() => {});
      this.#progress ??= deferred<void>();
      const waits: Promise<void>[] = [this.#progress.promise, aborted];
      if (room >= 0) waits.push(this.#segment.whenUnplayedAtMost(room, stop.signal));
      try {
        await Promise.race(waits);
      } finally {
        this.#signal.removeEventListener('abort', onAbort);
        stop.abort();
      }
    }
  }

  /** Expected audio of the pieces handed over whose audio has not started yet. */
  #expectedMs(): number {
    const msPerChar =
      this.#completeChars > 0 ? this.#completeMs / this.#completeChars : DEFAULT_MS_PER_CHAR;
    let chars = 0;
    for (let i = this.#speaking + 1; i < this.#handed; i++) {
      chars += this.#pieces[i]?.text.length ?? 0;
    }
    return chars * msPerChar;
  }

  #wake(): void {
    this.#progress?.resolve();
    this.#progress = undefined;
  }
}
