import { type AudioFrame, frameDurationMs } from '../audio/frame.js';
import type { Clock } from '../clock/clock.js';
import type { AudioOutput, PlaybackEvent } from './audio-output.js';

export interface ClockedOutputOptions {
  readonly sampleRate?: number;
  /** false: never reports playback (like a remote avatar sink). Default true. */
  readonly reporting?: boolean;
  readonly canPause?: boolean;
  readonly label?: string;
  /** Reports `finished` this long after the fact (a slow or remote sink). Default 0. */
  readonly reportDelayMs?: number;
}

interface PlayingSegment {
  speechId: string | undefined;
  startedAt: number;
  pushedMs: number;
  pausedAt: number | undefined;
  pausedTotal: number;
  flushed: boolean;
  cancelEnd: (() => void) | undefined;
}

/**
 * An output that "plays" audio on the session clock without a device: position advances
 * with time, flush reports when the audio would have ended, clear reports at once. The
 * default output of a session with no device, and the base of the scripted fake.
 */
export class ClockedOutput implements AudioOutput {
  readonly label: string;
  readonly sampleRate: number;
  readonly canPause: boolean;
  readonly reporting: boolean;
  readonly #reportDelayMs: number;
  readonly #clock: Clock;
  readonly #listeners = new Set<(e: PlaybackEvent) => void>();
  #segment: PlayingSegment | undefined;
  #nextSpeechId: string | undefined;

  constructor(clock: Clock, options: ClockedOutputOptions = {}) {
    this.#clock = clock;
    this.sampleRate = options.sampleRate ?? 16000;
    this.reporting = options.reporting ?? true;
    this.canPause = options.canPause ?? true;
    this.#reportDelayMs = options.reportDelayMs ?? 0;
    this.label = options.label ?? (this.reporting ? 'clocked output' : 'never-reporting output');
  }

  beginSegment(speechId: string): void {
    this.#nextSpeechId = speechId;
  }

  captureFrame(frame: AudioFrame): void {
    let segment = this.#segment;
    if (!segment) {
      segment = {
        speechId: this.#nextSpeechId,
        startedAt: this.#clock.now(),
        pushedMs: 0,
        pausedAt: undefined,
        pausedTotal: 0,
        flushed: false,
        cancelEnd: undefined,
      };
      this.#segment = segment;
      this.onSegmentStart(segment.speechId);
      this.#report({ type: 'started' });
    }
    const ms = frameDurationMs(frame);
    segment.pushedMs += ms;
    this.onFrame(segment.speechId, frame, ms);
  }

  flush(): void {
    const segment = this.#segment;
    if (!segment || segment.flushed) return;
    segment.flushed = true;
    this.#armEnd(segment);
  }

  clear(): void {
    const segment = this.#segment;
    if (!segment) return;
    segment.cancelEnd?.();
    this.#segment = undefined;
    const position = this.#position(segment);
    this.onSegmentEnd(segment.speechId, position, true);
    this.#report({ type: 'finished', positionMs: position, interrupted: true });
  }

  pause(): void {
    const segment = this.#segment;
    if (!this.canPause || !segment || segment.pausedAt !== undefined) return;
    segment.pausedAt = this.#clock.now();
    segment.cancelEnd?.();
  }

  resume(): void {
    const segment = this.#segment;
    if (!segment || segment.pausedAt === undefined) return;
    segment.pausedTotal += this.#clock.now() - segment.pausedAt;
    segment.pausedAt = undefined;
    if (segment.flushed) this.#armEnd(segment);
  }

  onPlayback(listener: (event: PlaybackEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Hooks for subclasses that record what they receive. */
  protected onSegmentStart(_speechId: string | undefined): void {}
  protected onFrame(_speechId: string | undefined, _frame: AudioFrame, _ms: number): void {}
  protected onSegmentEnd(
    _speechId: string | undefined,
    _playedMs: number,
    _interrupted: boolean,
  ): void {}

  #armEnd(segment: PlayingSegment): void {
    const remaining = Math.max(0, segment.pushedMs - this.#position(segment));
    segment.cancelEnd = this.#clock.timer(remaining, () => {
      if (this.#segment !== segment) return;
      this.#segment = undefined;
      this.onSegmentEnd(segment.speechId, segment.pushedMs, false);
      this.#report({ type: 'finished', positionMs: segment.pushedMs, interrupted: false });
    });
  }

  #position(segment: PlayingSegment): number {
    const until = segment.pausedAt ?? this.#clock.now();
    return Math.max(0, Math.min(segment.pushedMs, until - segment.startedAt - segment.pausedTotal));
  }

  #report(event: PlaybackEvent): void {
    if (!this.reporting) return;
    if (event.type === 'finished' && this.#reportDelayMs > 0) {
      this.#clock.timer(this.#reportDelayMs, () => this.#deliver(event));
      return;
    }
    this.#deliver(event);
  }

  #deliver(event: PlaybackEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}
