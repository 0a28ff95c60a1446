/**
 * The output side of the audio child, without the device: it keeps a naudiodon output
 * stream fed with fixed-size chunks (segment audio, or silence when there is none or when
 * paused) and works out what has been heard.
 *
 * Why always feed: naudiodon's PortAudio callback blocks when it has no data, so an idle
 * stream underflows and its latency drifts. A continuously fed stream is clocked by the
 * device: each completed write means one chunk left the pipeline, so "heard" is simply
 * "written `lagChunks` writes ago". That estimate needs no wall clock, and `clear()` can
 * only leave those `lagChunks` (plus the device's own buffer) audible.
 */

export interface PumpListener {
  started(seg: number): void;
  progress(seg: number, playedMs: number): void;
  finished(seg: number, positionMs: number): void;
  /** Total received samples that left the queue (written or dropped). */
  consumed(samples: number): void;
  /**
   * Silence had to be written in the middle of segment `seg` (started, not yet flushed):
   * its audio did not arrive in time, so the listener hears a gap of one chunk.
   */
  underrun?(seg: number): void;
}

export interface PumpOptions {
  readonly sampleRate: number;
  /** Samples per write (e.g. 320 = 20 ms at 16 kHz). */
  readonly chunkSamples: number;
  readonly lagChunks: number;
}

type QueueItem =
  | { readonly kind: 'audio'; readonly seg: number; readonly pcm: Buffer; readonly samples: number }
  | { readonly kind: 'end'; readonly seg: number };

interface InFlight {
  /** null: silence, or audio of a segment that was cleared (nobody wants reports). */
  seg: number | null;
  readonly ms: number;
  /** Segments that are over once this chunk is heard (in flush order). */
  finishes: number[];
}

export class PlaybackPump {
  readonly #write: (chunk: Buffer) => Promise<void>;
  readonly #listener: PumpListener;
  readonly #chunkBytes: number;
  readonly #sampleRate: number;
  readonly #lag: number;
  readonly #silence: Buffer;
  #queue: QueueItem[] = [];
  #carry: { seg: number; bytes: Buffer } | null = null;
  #inFlight: InFlight[] = [];
  /** The chunk whose write has not completed yet. */
  #writing: InFlight | null = null;
  readonly #played = new Map<number, number>();
  #consumed = 0;
  #reportedConsumed = 0;
  #paused = false;
  #stopped = false;
  /** The segment whose audio is being written: started, its end not reached, not cleared. */
  #openSeg: number | null = null;

  constructor(
    write: (chunk: Buffer) => Promise<void>,
    listener: PumpListener,
    options: PumpOptions,
  ) {
    this.#write = write;
    this.#listener = listener;
    this.#chunkBytes = options.chunkSamples * 2;
    this.#sampleRate = options.sampleRate;
    this.#lag = Math.max(0, Math.round(options.lagChunks));
    this.#silence = Buffer.alloc(this.#chunkBytes);
  }

  /** Appends s16 mono PCM to segment `seg`, cut into whole chunks. */
  push(seg: number, pcm: Buffer): void {
    if (this.#carry && this.#carry.seg !== seg) this.#closeCarry();
    const bytes = this.#carry ? Buffer.concat([this.#carry.bytes, pcm]) : pcm;
    let offset = 0;
    while (bytes.length - offset >= this.#chunkBytes) {
      const pcmChunk = Buffer.from(bytes.subarray(offset, offset + this.#chunkBytes));
      this.#queue.push({ kind: 'audio', seg, pcm: pcmChunk, samples: this.#chunkBytes / 2 });
      offset += this.#chunkBytes;
    }
    this.#carry =
      offset < bytes.length ? { seg, bytes: Buffer.from(bytes.subarray(offset)) } : null;
  }

  /** No more audio for `seg`: play what is queued, then report `finished`. */
  flush(seg: number): void {
    if (this.#carry?.seg === seg) this.#closeCarry();
    this.#queue.push({ kind: 'end', seg });
  }

  /** Drops everything not yet written; what is in flight plays but is no longer reported. */
  clear(): void {
    for (const item of this.#queue) if (item.kind === 'audio') this.#consumed += item.samples;
    if (this.#carry) this.#consumed += this.#carry.bytes.length / 2;
    this.#queue = [];
    this.#carry = null;
    this.#openSeg = null;
    for (const entry of [...this.#inFlight, ...(this.#writing ? [this.#writing] : [])]) {
      entry.seg = null;
      entry.finishes = [];
    }
    this.#played.clear();
    this.#reportConsumed();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
  }

  stop(): void {
    this.#stopped = true;
  }

  /** Feeds the stream until `stop()`; rejects if a write fails (the device is gone). */
  async run(): Promise<void> {
    while (!this.#stopped) {
      const next = this.#next();
      const entry: InFlight = { seg: next.seg, ms: next.ms, finishes: [] };
      this.#writing = entry;
      this.#reportConsumed();
      await this.#write(next.pcm);
      this.#writing = null;
      if (this.#stopped) return;
      this.#inFlight.push(entry);
      this.#drainHeard();
    }
  }

  /** Pads the partial chunk of a segment with silence so chunks stay aligned to buffers. */
  #closeCarry(): void {
    const carry = this.#carry;
    if (!carry) return;
    const pcm = Buffer.alloc(this.#chunkBytes);
    carry.bytes.copy(pcm);
    this.#queue.push({ kind: 'audio', seg: carry.seg, pcm, samples: carry.bytes.length / 2 });
    this.#carry = null;
  }

  #next(): { pcm: Buffer; seg: number | null; ms: number } {
    const silence = { pcm: this.#silence, seg: null, ms: 0 };
    if (this.#paused) return silence;
    for (;;) {
      const head = this.#queue.shift();
      if (!head) {
        if (this.#openSeg !== null) this.#listener.underrun?.(this.#openSeg);
        return silence;
      }
      if (head.kind === 'end') {
        if (this.#openSeg === head.seg) this.#openSeg = null;
        this.#endSegment(head.seg);
        continue;
      }
      this.#openSeg = head.seg;
      this.#consumed += head.samples;
      // Padding of a segment's last chunk is not part of its position.
      return { pcm: head.pcm, seg: head.seg, ms: (head.samples / this.#sampleRate) * 1000 };
    }
  }

  #endSegment(seg: number): void {
    // Finish with the newest chunk still in flight that carries audio or other finishes,
    // so segments finish in flush order and only after their own audio.
    for (let i = this.#inFlight.length - 1; i >= 0; i--) {
      const entry = this.#inFlight[i]!;
      if (entry.seg !== null || entry.finishes.length > 0) {
        entry.finishes.push(seg);
        return;
      }
    }
    // Nothing pending: it has been heard already (or had no audio at all).
    this.#finish(seg);
  }

  #finish(seg: number): void {
    this.#listener.finished(seg, this.#played.get(seg) ?? 0);
    this.#played.delete(seg);
  }

  #drainHeard(): void {
    while (this.#inFlight.length > this.#lag) {
      const entry = this.#inFlight.shift()!;
      if (entry.seg !== null) {
        const before = this.#played.get(entry.seg);
        const playedMs = (before ?? 0) + entry.ms;
        this.#played.set(entry.seg, playedMs);
        if (before === undefined) this.#listener.started(entry.seg);
        this.#listener.progress(entry.seg, playedMs);
      }
      for (const seg of entry.finishes) this.#finish(seg);
    }
  }

  #reportConsumed(): void {
    if (this.#consumed === this.#reportedConsumed) return;
    this.#reportedConsumed = this.#consumed;
    this.#listener.consumed(this.#consumed);
  }
}
