import type { AudioFrame } from '../../src/runtime/audio/frame.js';
import { frameBytes } from '../shared/pcm.js';
import { REALTIME_SAMPLE_RATE } from './realtime-protocol.js';

const BYTES_PER_MS = (REALTIME_SAMPLE_RATE * 2) / 1000;
/** The server refuses to commit less than this. */
export const MIN_COMMIT_MS = 100;

/**
 * The user's audio on its way to the input buffer: 24 kHz mono s16, how much the server
 * holds since the last commit, and the latest audio kept while a connection is opening.
 */
export class InputAudio {
  readonly #holdBytes: number;
  #held: Buffer[] = [];
  #heldBytes = 0;
  #bufferedBytes = 0;

  constructor(holdMs: number) {
    this.#holdBytes = Math.max(0, Math.round(holdMs * BYTES_PER_MS));
  }

  /** Audio the server holds since the last commit or clear. */
  get bufferedMs(): number {
    return this.#bufferedBytes / BYTES_PER_MS;
  }

  /** The frame as the API wants it (empty when it has no whole sample). */
  encode(frame: AudioFrame): Buffer {
    return frameBytes(frame, REALTIME_SAMPLE_RATE);
  }

  sent(bytes: Buffer): void {
    this.#bufferedBytes += bytes.length;
  }

  /** Keeps audio while disconnected; only the latest `holdMs` survives. */
  hold(bytes: Buffer): void {
    if (this.#holdBytes === 0) return;
    this.#held.push(bytes);
    this.#heldBytes += bytes.length;
    while (this.#heldBytes - (this.#held[0]?.length ?? 0) >= this.#holdBytes) {
      this.#heldBytes -= this.#held.shift()!.length;
    }
  }

  /** The audio kept while connecting, handed over once (and forgotten). */
  takeHeld(): Buffer[] {
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    return held;
  }

  /** The server's buffer was committed or cleared. */
  emptied(): void {
    this.#bufferedBytes = 0;
  }

  /** The connection is gone: the server's buffer with it. */
  reset(): void {
    this.#bufferedBytes = 0;
    this.takeHeld();
  }
}
