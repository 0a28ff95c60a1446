/**
 * The user's voice from the room: the microphone track of the linked participant, read as
 * 16 kHz mono through rtc-node's `AudioStream`. The track can change under a reader (the
 * participant leaves and another is linked, or a reconnect re-subscribes): `frames()` follows
 * it and only ends when its signal aborts or the input closes. It also meters what the agent
 * hears (`level()`), and `setMuted(true)` stops the agent hearing it (readers get silence, so
 * speech under way ends for the VAD instead of staying open).
 */
import { AudioStream, type RemoteAudioTrack } from '@livekit/rtc-node';
import { type AudioFrame, createFrame, frameRms } from '../runtime/audio/frame.js';
import type { AudioInput } from '../runtime/io/audio-input.js';

type TrackListener = () => void;

/** A level older than this is stale: no frames arrive (nobody linked, or a stalled track). */
const LEVEL_STALE_MS = 250;

export class RoomAudioInput implements AudioInput {
  readonly label: string;
  readonly sampleRate: number;
  #track: RemoteAudioTrack | null = null;
  #closed = false;
  #muted = false;
  #level = 0;
  #levelAt = 0;
  readonly #listeners = new Set<TrackListener>();

  constructor(label: string, sampleRate = 16_000) {
    this.label = label;
    this.sampleRate = sampleRate;
  }

  /** The track being read, if any (set by the room session when it links a participant). */
  get track(): RemoteAudioTrack | null {
    return this.#track;
  }

  setTrack(track: RemoteAudioTrack | null): void {
    if (track === this.#track) return;
    this.#track = track;
    this.#notify();
  }

  /** RMS (0..1) of the last frame heard; 0 while muted or when no frames arrive. */
  level(): number {
    if (this.#muted || performance.now() - this.#levelAt > LEVEL_STALE_MS) return 0;
    return this.#level;
  }

  get muted(): boolean {
    return this.#muted;
  }

  /** While muted, readers get silent frames: the agent hears nothing of the room. */
  setMuted(muted: boolean): void {
    this.#muted = muted;
  }

  close(): void {
    this.#closed = true;
    this.#track = null;
    this.#notify();
  }

  async *frames(signal: AbortSignal): AsyncIterable<AudioFrame> {
    let last: RemoteAudioTrack | null = null;
    while (!signal.aborted && !this.#closed) {
      // A stream that ended on a track still current (unsubscribed, not yet replaced) is not
      // re-read in a loop: wait for the next track instead.
      const track = await this.#nextTrack(signal, last);
      if (!track) return;
      last = track;
      yield* this.#read(track, signal);
    }
  }

  async *#read(track: RemoteAudioTrack, signal: AbortSignal): AsyncGenerator<AudioFrame> {
    const stream = new AudioStream(track, { sampleRate: this.sampleRate, numChannels: 1 });
    const reader = stream.getReader();
    const stop = () => {
      reader.cancel().catch(() => undefined);
    };
    const onChange = () => {
      if (this.#track !== track || this.#closed) stop();
    };
    this.#listeners.add(onChange);
    signal.addEventListener('abort', stop, { once: true });
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || !value) return;
        if (this.#muted) {
          yield createFrame(new Int16Array(value.data.length), value.sampleRate, value.channels);
          continue;
        }
        // Copy: the frame's samples may be a view into a buffer the FFI reuses.
        const frame = createFrame(Int16Array.from(value.data), value.sampleRate, value.channels);
        this.#level = frameRms(frame);
        this.#levelAt = performance.now();
        yield frame;
      }
    } finally {
      this.#listeners.delete(onChange);
      signal.removeEventListener('abort', stop);
      stop();
    }
  }

  #nextTrack(signal: AbortSignal, not: RemoteAudioTrack | null): Promise<RemoteAudioTrack | null> {
    return new Promise((resolve) => {
      const check = () => {
        if (signal.aborted || this.#closed) finish(null);
        else if (this.#track && this.#track !== not) finish(this.#track);
      };
      const finish = (t: RemoteAudioTrack | null) => {
        this.#listeners.delete(check);
        signal.removeEventListener('abort', check);
        resolve(t);
      };
      this.#listeners.add(check);
      signal.addEventListener('abort', check, { once: true });
      check();
    });
  }

  #notify(): void {
    for (const l of [...this.#listeners]) l();
  }
}
