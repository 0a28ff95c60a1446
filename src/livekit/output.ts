/**
 * The agent's voice in the room: frames go to an rtc-node `AudioSource` published as a
 * microphone track. A segment (frames between two flush()/clear() calls) reports `started`
 * at its first frame and `finished` when its last frame has played out (estimated from the
 * source's queue, as LiveKit's own agents do) or at once on clear(), with the position heard.
 */
import { type AudioSource, AudioFrame as RtcAudioFrame } from '@livekit/rtc-node';
import { type AudioFrame, downmix, resampleFrame } from '../runtime/audio/frame.js';
import type { AudioOutput, PlaybackEvent } from '../runtime/io/audio-output.js';
import type { RoomLog } from './rtc-log.js';

interface Segment {
  /** Milliseconds handed to captureFrame. */
  pushedMs: number;
  /** Milliseconds the source accepted (what can still be heard; the rest is dropped). */
  acceptedMs: number;
  /** Wall-clock ms (performance.now) at which the accepted audio will have played out. */
  endsAt: number;
  cleared: boolean;
  finished: boolean;
  cancelWait: (() => void) | null;
}

export interface RoomAudioOutputOptions {
  source: AudioSource;
  label: string;
  /** Called at the first frame: resolves when someone subscribed (or the bounded wait gave up). */
  ready: () => Promise<void>;
  log: RoomLog;
}

export class RoomAudioOutput implements AudioOutput {
  readonly label: string;
  readonly sampleRate: number;
  readonly canPause = false;
  readonly #source: AudioSource;
  readonly #ready: () => Promise<void>;
  #readyOnce: Promise<void> | null = null;
  readonly #log: RoomLog;
  readonly #listeners = new Set<(e: PlaybackEvent) => void>();
  #segment: Segment | null = null;
  /** The last flushed segment: clear() can still interrupt it until it reports `finished`. */
  #flushed: Segment | null = null;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(opts: RoomAudioOutputOptions) {
    this.#source = opts.source;
    this.sampleRate = opts.source.sampleRate;
    this.label = opts.label;
    this.#ready = opts.ready;
    this.#log = opts.log;
  }

  captureFrame(frame: AudioFrame): Promise<void> {
    if (this.#closed || frame.samplesPerChannel === 0) return Promise.resolve();
    let seg = this.#segment;
    if (!seg) {
      seg = {
        pushedMs: 0,
        acceptedMs: 0,
        endsAt: 0,
        cleared: false,
        finished: false,
        cancelWait: null,
      };
      this.#segment = seg;
      this.#emit({ type: 'started' });
    }
    const mono = downmix(frame);
    const data = mono.sampleRate === this.sampleRate ? mono : resampleFrame(mono, this.sampleRate);
    const ms = (data.samplesPerChannel / data.sampleRate) * 1000;
    seg.pushedMs += ms;
    const current = seg;
    const rtc = new RtcAudioFrame(data.data, data.sampleRate, 1, data.samplesPerChannel);
    this.#chain = this.#chain.then(async () => {
      this.#readyOnce ??= this.#ready();
      await this.#readyOnce;
      if (current.cleared || this.#closed) return;
      try {
        await this.#source.captureFrame(rtc);
      } catch (err) {
        this.#log('warn', `livekit output: frame dropped (${String(err)})`);
        return;
      }
      // A clear() that came while this frame was in flight: drop it from the queue too.
      if (current.cleared) {
        this.#source.clearQueue();
        return;
      }
      current.acceptedMs += ms;
      current.endsAt = performance.now() + this.#source.queuedDuration;
    });
    return this.#chain;
  }

  flush(): void {
    const seg = this.#segment;
    if (!seg) return;
    this.#segment = null;
    this.#flushed = seg;
    void this.#chain.then(() => {
      if (seg.cleared || seg.finished) return;
      const wait = Math.max(0, seg.endsAt - performance.now());
      const timer = setTimeout(() => this.#finish(seg, seg.acceptedMs, false), wait);
      seg.cancelWait = () => clearTimeout(timer);
    });
  }

  clear(): void {
    if (this.#closed) return;
    // Drops everything queued: the segment being written and a flushed one still playing.
    this.#source.clearQueue();
    const now = performance.now();
    for (const seg of [this.#flushed, this.#segment]) {
      if (!seg || seg.finished || seg.cleared) continue;
      seg.cleared = true;
      seg.cancelWait?.();
      const unplayedMs = Math.max(0, seg.endsAt - now);
      this.#finish(seg, Math.max(0, seg.acceptedMs - unplayedMs), true);
    }
    this.#segment = null;
  }

  onPlayback(listener: (event: PlaybackEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stops playback and releases the source; later frames are ignored. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.clear();
    this.#closed = true;
    await this.#source.close();
  }

  #finish(seg: Segment, positionMs: number, interrupted: boolean): void {
    if (seg.finished) return;
    seg.finished = true;
    this.#emit({ type: 'finished', positionMs: Math.round(positionMs), interrupted });
  }

  #emit(event: PlaybackEvent): void {
    for (const l of [...this.#listeners]) {
      try {
        l(event);
      } catch (err) {
        this.#log('error', `livekit output: playback listener threw: ${String(err)}`);
      }
    }
  }
}
