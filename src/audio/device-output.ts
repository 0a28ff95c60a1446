import type { AudioFrame } from '../runtime/audio/frame.js';
import type { AudioOutput, PlaybackEvent } from '../runtime/io/audio-output.js';
import type { ChildLink, ChildMessage } from './device-protocol.js';
import { toMonoAt } from './pcm.js';

export interface DeviceOutputOptions {
  readonly label: string;
  readonly sampleRate: number;
  /** captureFrame() returns a promise while more than this is queued in the child. */
  readonly maxBufferedMs: number;
}

interface PendingSegment {
  positionMs: number;
  started: boolean;
}

/**
 * The speakers, as an AudioOutput. Frames go to the audio child, which plays them and
 * reports what was heard. `clear()` reports `finished{interrupted}` synchronously, with
 * the last position the child reported, and tells the child to drop its queue.
 */
export class DeviceOutput implements AudioOutput {
  readonly label: string;
  readonly sampleRate: number;
  readonly canPause = true;
  readonly #child: ChildLink;
  readonly #maxBufferedSamples: number;
  readonly #listeners = new Set<(event: PlaybackEvent) => void>();
  /** Segments that have not reported `finished` yet, oldest first. */
  readonly #pending = new Map<number, PendingSegment>();
  #seg = 1;
  #segOpen = false;
  #sentSamples = 0;
  #consumedSamples = 0;
  /** After clear() everything sent so far counts as consumed, before the child says so. */
  #clearedSamples = 0;
  #waiters: Array<() => void> = [];
  #closed = false;
  #underruns = 0;

  constructor(child: ChildLink, options: DeviceOutputOptions) {
    this.#child = child;
    this.label = options.label;
    this.sampleRate = options.sampleRate;
    this.#maxBufferedSamples = Math.round((options.maxBufferedMs / 1000) * options.sampleRate);
    child.onMessage((message) => this.#onMessage(message));
  }

  /**
   * Chunks of silence the speakers played in the middle of a speech because its audio came
   * too late (each one a gap of a chunk, 20 ms by default). 0 while the buffer is fed ahead.
   */
  get underruns(): number {
    return this.#underruns;
  }

  /** Milliseconds sent to the child that it has not played (or dropped) yet. */
  get bufferedMs(): number {
    return (this.#bufferedSamples() / this.sampleRate) * 1000;
  }

  captureFrame(frame: AudioFrame): void | Promise<void> {
    if (this.#closed) return;
    const pcm = toMonoAt(frame, this.sampleRate).data;
    if (pcm.length === 0) return;
    this.#openSegment();
    this.#child.send({ t: 'play', seg: this.#seg, pcm });
    this.#sentSamples += pcm.length;
    if (this.#bufferedSamples() <= this.#maxBufferedSamples) return;
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  flush(): void {
    if (this.#closed) return;
    // Even an empty segment reports `finished` (through the child, to keep the order).
    this.#openSegment();
    this.#child.send({ t: 'flush', seg: this.#seg });
    this.#seg++;
    this.#segOpen = false;
  }

  clear(): void {
    if (this.#closed) return;
    this.#child.send({ t: 'clear' });
    this.#clearedSamples = this.#sentSamples;
    this.#interruptAll();
  }

  pause(): void {
    if (!this.#closed) this.#child.send({ t: 'pause' });
  }

  resume(): void {
    if (!this.#closed) this.#child.send({ t: 'resume' });
  }

  beginSegment(_speechId: string): void {
    if (!this.#closed) this.#openSegment();
  }

  onPlayback(listener: (event: PlaybackEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The device is gone (close, or the child died): report every open segment as interrupted. */
  shutdown(): void {
    if (this.#closed) return;
    this.#interruptAll();
    this.#closed = true;
  }

  #interruptAll(): void {
    const segments = [...this.#pending.values()];
    this.#pending.clear();
    if (this.#segOpen) {
      this.#seg++;
      this.#segOpen = false;
    }
    this.#releaseWaiters();
    for (const segment of segments) {
      this.#emit({ type: 'finished', positionMs: segment.positionMs, interrupted: true });
    }
  }

  #openSegment(): void {
    if (this.#segOpen) return;
    this.#segOpen = true;
    this.#pending.set(this.#seg, { positionMs: 0, started: false });
  }

  #bufferedSamples(): number {
    return this.#sentSamples - Math.max(this.#consumedSamples, this.#clearedSamples);
  }

  #releaseWaiters(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  #onMessage(message: ChildMessage): void {
    switch (message.t) {
      case 'started': {
        const segment = this.#pending.get(message.seg);
        if (!segment || segment.started) return;
        segment.started = true;
        this.#emit({ type: 'started' });
        return;
      }
      case 'progress': {
        const segment = this.#pending.get(message.seg);
        if (segment) segment.positionMs = message.playedMs;
        return;
      }
      case 'finished': {
        // Unknown: already reported as interrupted by clear().
        if (!this.#pending.delete(message.seg)) return;
        this.#emit({ type: 'finished', positionMs: message.positionMs, interrupted: false });
        return;
      }
      case 'underrun':
        this.#underruns++;
        return;
      case 'consumed':
        this.#consumedSamples = message.samples;
        if (this.#bufferedSamples() <= this.#maxBufferedSamples) this.#releaseWaiters();
        return;
      default:
        return;
    }
  }

  #emit(event: PlaybackEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}
