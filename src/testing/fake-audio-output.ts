import { type AudioFrame, frameRms } from '../runtime/audio/frame.js';
import type { Clock } from '../runtime/clock/clock.js';
import { ClockedOutput } from '../runtime/io/clocked-output.js';

/** What one speech segment delivered to the fake output. */
export interface ReceivedSegment {
  readonly speechId: string | undefined;
  readonly startedAt: number;
  receivedMs: number;
  /** How much the listener heard (known once the segment ended). */
  playedMs: number | undefined;
  interrupted: boolean;
  endedAt: number | undefined;
  /** Whether any frame had audible content. */
  nonSilent: boolean;
}

export interface FakeAudioOutputOptions {
  /** false: never reports playback, like a remote avatar sink. Default true. */
  reporting?: boolean;
  canPause?: boolean;
  sampleRate?: number;
  /** Reports `finished` this long after the fact (a slow or remote sink). */
  reportDelayMs?: number;
}

/** An output that plays on the clock and records what each speech delivered, in order. */
export class FakeAudioOutput extends ClockedOutput {
  readonly segments: ReceivedSegment[] = [];
  readonly #clock: Clock;

  constructor(clock: Clock, options: FakeAudioOutputOptions = {}) {
    super(clock, {
      ...options,
      label: options.reporting === false ? 'fake never-reporting output' : 'fake output',
    });
    this.#clock = clock;
  }

  /** Segments of one speech (a speech with tool steps has several). */
  segmentsOf(speechId: string): ReceivedSegment[] {
    return this.segments.filter((s) => s.speechId === speechId);
  }

  protected override onSegmentStart(speechId: string | undefined): void {
    this.segments.push({
      speechId,
      startedAt: this.#clock.now(),
      receivedMs: 0,
      playedMs: undefined,
      interrupted: false,
      endedAt: undefined,
      nonSilent: false,
    });
  }

  protected override onFrame(_speechId: string | undefined, frame: AudioFrame, ms: number): void {
    const segment = this.segments[this.segments.length - 1];
    if (!segment) return;
    segment.receivedMs += ms;
    if (!segment.nonSilent && frameRms(frame) > 0.001) segment.nonSilent = true;
  }

  protected override onSegmentEnd(
    _speechId: string | undefined,
    playedMs: number,
    interrupted: boolean,
  ): void {
    const segment = this.segments[this.segments.length - 1];
    if (!segment) return;
    segment.playedMs = playedMs;
    segment.interrupted = interrupted;
    segment.endedAt = this.#clock.now();
  }
}
