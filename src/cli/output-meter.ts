/**
 * The level meter of the agent's voice. Outputs take audio ahead of playout (a device buffers,
 * a room queues about a second, the text mode's clocked output takes it all at once), so the
 * level of the frame being captured is not what is heard. This wrapper remembers the level of
 * each stretch of audio by its position in the segment and reads the one that plays now,
 * counting from the output's own `started` report, minus pauses.
 */
import { type AudioFrame, frameDurationMs, frameRms } from '../runtime/audio/frame.js';
import type { AudioOutput, PlaybackEvent } from '../runtime/io/audio-output.js';

interface Chunk {
  /** Where it starts in its segment, ms. */
  atMs: number;
  endMs: number;
  rms: number;
}

interface Segment {
  chunks: Chunk[];
  /** Index of the first chunk not yet played past. */
  next: number;
  capturedMs: number;
  /** Host time it started playing (its `started` report), or null before. */
  startedAt: number | null;
  pausedAt: number | null;
  pausedMs: number;
  /** No more frames (flushed or cleared). */
  closed: boolean;
}

/** Chunks remembered per segment: ten minutes of 20 ms frames. */
const MAX_CHUNKS = 30_000;

export class OutputMeter implements AudioOutput {
  readonly #inner: AudioOutput;
  readonly #now: () => number;
  /** Segments not yet reported finished, oldest (the one playing) first. */
  #segments: Segment[] = [];

  constructor(inner: AudioOutput, now: () => number = () => performance.now()) {
    this.#inner = inner;
    this.#now = now;
    inner.onPlayback((event) => this.#onPlayback(event));
  }

  get label(): string {
    return this.#inner.label;
  }
  get sampleRate(): number {
    return this.#inner.sampleRate;
  }
  get canPause(): boolean {
    return this.#inner.canPause;
  }
  /** The wrapped output (a recorder describes that one). */
  get inner(): AudioOutput {
    return this.#inner;
  }

  /** RMS (0..1) of the audio playing now; 0 when nothing plays. */
  level(): number {
    const seg = this.#segments.find((s) => s.startedAt !== null);
    if (!seg || seg.startedAt === null) return 0;
    const until = seg.pausedAt ?? this.#now();
    const position = until - seg.startedAt - seg.pausedMs;
    while (seg.next < seg.chunks.length && (seg.chunks[seg.next] as Chunk).endMs <= position) {
      seg.next++;
    }
    const chunk = seg.chunks[seg.next];
    return chunk && chunk.atMs <= position ? chunk.rms : 0;
  }

  beginSegment(speechId: string): void {
    this.#inner.beginSegment?.(speechId);
  }

  captureFrame(frame: AudioFrame): void | Promise<void> {
    const seg = this.#openSegment();
    const durationMs = frameDurationMs(frame);
    if (seg.chunks.length < MAX_CHUNKS) {
      const chunk = {
        atMs: seg.capturedMs,
        endMs: seg.capturedMs + durationMs,
        rms: frameRms(frame),
      };
      seg.chunks.push(chunk);
    }
    seg.capturedMs += durationMs;
    return this.#inner.captureFrame(frame);
  }

  flush(): void {
    this.#openSegment().closed = true;
    this.#inner.flush();
  }

  clear(): void {
    // Nothing queued will play: the meter drops to zero at once.
    this.#segments = [];
    this.#inner.clear();
  }

  pause(): void {
    const seg = this.#segments[0];
    if (seg && seg.pausedAt === null) seg.pausedAt = this.#now();
    this.#inner.pause?.();
  }

  resume(): void {
    const seg = this.#segments[0];
    if (seg && seg.pausedAt !== null) {
      seg.pausedMs += this.#now() - seg.pausedAt;
      seg.pausedAt = null;
    }
    this.#inner.resume?.();
  }

  onPlayback(listener: (event: PlaybackEvent) => void): () => void {
    return this.#inner.onPlayback(listener);
  }

  #openSegment(): Segment {
    const last = this.#segments.at(-1);
    if (last && !last.closed) return last;
    const seg: Segment = {
      chunks: [],
      next: 0,
      capturedMs: 0,
      startedAt: null,
      pausedAt: null,
      pausedMs: 0,
      closed: false,
    };
    this.#segments.push(seg);
    return seg;
  }

  #onPlayback(event: PlaybackEvent): void {
    if (event.type === 'started') {
      const seg = this.#segments.find((s) => s.startedAt === null);
      if (seg) seg.startedAt = this.#now();
      return;
    }
    this.#segments.shift();
  }
}
