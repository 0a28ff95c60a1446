import { type AudioFrame, createFrame } from '../runtime/audio/frame.js';
import type { AudioInput } from '../runtime/io/audio-input.js';
import type { ChildLink } from './device-protocol.js';
import { rms } from './pcm.js';

export interface DeviceInputOptions {
  readonly label: string;
  readonly sampleRate: number;
  /** Frames kept per reader that does not keep up; older ones are dropped. */
  readonly maxQueuedFrames?: number;
}

/** One reader's queue: bounded, drops the oldest frame when full (a mic cannot wait). */
class FrameQueue {
  readonly #max: number;
  #frames: AudioFrame[] = [];
  #wake: (() => void) | null = null;
  #ended = false;

  constructor(max: number) {
    this.#max = max;
  }

  push(frame: AudioFrame): void {
    this.#frames.push(frame);
    if (this.#frames.length > this.#max) this.#frames.shift();
    this.#notify();
  }

  end(): void {
    this.#ended = true;
    this.#notify();
  }

  /** The next frame, or null once ended or aborted. */
  async next(signal: AbortSignal): Promise<AudioFrame | null> {
    for (;;) {
      if (signal.aborted) return null;
      const frame = this.#frames.shift();
      if (frame) return frame;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        signal.addEventListener('abort', onAbort, { once: true });
        this.#wake = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      });
      this.#wake = null;
    }
  }

  #notify(): void {
    this.#wake?.();
  }
}

/**
 * The microphone, as an AudioInput. Every `frames()` call gets its own queue, so several
 * readers (VAD, STT, a recorder) see the same frames. Also the level meter and mute.
 */
export class DeviceInput implements AudioInput {
  readonly label: string;
  readonly sampleRate: number;
  readonly #maxQueued: number;
  readonly #readers = new Set<FrameQueue>();
  readonly #levelListeners = new Set<(level: number) => void>();
  #level = 0;
  #muted = false;
  #ended = false;

  constructor(child: ChildLink, options: DeviceInputOptions) {
    this.label = options.label;
    this.sampleRate = options.sampleRate;
    this.#maxQueued = options.maxQueuedFrames ?? 250;
    child.onMessage((message) => {
      if (message.t === 'input') this.#onPcm(message.pcm);
    });
  }

  frames(signal: AbortSignal): AsyncIterable<AudioFrame> {
    const readers = this.#readers;
    const max = this.#maxQueued;
    const ended = () => this.#ended;
    return {
      async *[Symbol.asyncIterator]() {
        const queue = new FrameQueue(max);
        if (ended()) queue.end();
        readers.add(queue);
        try {
          for (;;) {
            const frame = await queue.next(signal);
            if (!frame) return;
            yield frame;
          }
        } finally {
          readers.delete(queue);
        }
      },
    };
  }

  /** RMS (0..1) of the last microphone frame; 0 while muted. */
  level(): number {
    return this.#level;
  }

  /** Called with the RMS of every microphone frame (about 50 times a second). */
  onLevel(listener: (level: number) => void): () => void {
    this.#levelListeners.add(listener);
    return () => this.#levelListeners.delete(listener);
  }

  get muted(): boolean {
    return this.#muted;
  }

  /**
   * Muting happens here at once and in the child (which then sends silence): readers get
   * silent frames, so speech under way ends for the VAD instead of staying open.
   */
  setMuted(muted: boolean): void {
    this.#muted = muted;
    if (muted) this.#setLevel(0);
  }

  /** Ends every reader: the device is gone. */
  end(): void {
    this.#ended = true;
    for (const reader of this.#readers) reader.end();
    this.#setLevel(0);
  }

  #onPcm(pcm: Int16Array): void {
    if (this.#ended) return;
    const frame = createFrame(this.#muted ? new Int16Array(pcm.length) : pcm, this.sampleRate);
    for (const reader of this.#readers) reader.push(frame);
    this.#setLevel(this.#muted ? 0 : rms(pcm));
  }

  #setLevel(level: number): void {
    this.#level = level;
    for (const listener of [...this.#levelListeners]) listener(level);
  }
}
