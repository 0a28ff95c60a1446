/**
 * Feeds an echo canceller its two streams in device order, whatever the event loop does.
 *
 * AEC3 pairs each microphone frame with the speaker frames given before it and tolerates
 * about 100 ms of jitter between the two call streams. On a loaded machine the audio
 * child's event loop stalls for 50–500 ms. Fed as they arrive, the queued microphone
 * chunks and the refilled speaker chunks then come in bursts, and the speakers may have
 * run dry (played silence) meanwhile, which moves the speech the canceller was tracking;
 * it lost the echo for up to a second after such stalls (measured on the virtual card).
 *
 * Both streams are clocked by their devices, so frame counts are device time: microphone
 * frame N and speaker frame N + offset belong together. The offset is measured as the
 * lead (speaker frames written − microphone frames captured) at calm moments, when a
 * microphone chunk arrives on time rather than in a burst, less some slack for write
 * jitter. The canceller gets one speaker frame before each microphone frame. A microphone
 * frame whose speaker frame is not written yet waits; when the speakers ran dry, the next
 * calm lead is smaller, the offset follows, and the frames of the gap get silence as their
 * speaker frames, which is what the room heard.
 */

/** What the aligner drives: an EchoCanceller, or a fake in tests. */
export interface FrameProcessor {
  /** Samples per frame (10 ms). */
  readonly frameSamples: number;
  processRender(frame: Int16Array): void;
  processCapture(frame: Int16Array): Int16Array;
}

export interface EchoAlignerOptions {
  /** Receives the processed microphone audio, in order (whole frames). */
  readonly deliver: (pcm: Int16Array) => void;
  /** Milliseconds, to tell an on-time microphone chunk from a burst. Default performance.now. */
  readonly now?: () => number;
  /** Speaker frames held back from the newest written one, for write jitter. Default 6. */
  readonly slackFrames?: number;
  /** Microphone frames that may wait (for their speaker frames, or a calm moment). Default 60. */
  readonly maxWaitingFrames?: number;
  /** One line when the alignment moves (why the canceller may re-adapt). */
  readonly log?: (line: string) => void;
  /** Called when the alignment moves after it was first set: the canceller re-adapts. */
  readonly onRealign?: () => void;
}

/** Calm leads that must agree (within 2 frames) before the offset follows them. */
const CALM_AGREE = 5;
/**
 * How far (frames) the calm lead must be from the offset before the offset follows it:
 * settled, and right after a stall (when the speakers may have run dry for a device chunk,
 * 2 frames). The measure itself wanders by under a frame with the loop's timing; each move
 * makes the canceller adapt again, so noise must not move it.
 */
const SETTLED_HYSTERESIS = 2.5;
const STALL_HYSTERESIS = 1.5;
/** Speaker frames kept when the microphone stops delivering (3 s). */
const MAX_RENDER_BACKLOG = 300;

/** Cuts PCM of any length into frames; the remainder waits for the next push. */
class Framer {
  readonly #size: number;
  #carry = new Int16Array(0);

  constructor(size: number) {
    this.#size = size;
  }

  frames(pcm: Int16Array): Int16Array[] {
    let data = pcm;
    if (this.#carry.length > 0) {
      data = new Int16Array(this.#carry.length + pcm.length);
      data.set(this.#carry);
      data.set(pcm, this.#carry.length);
    }
    const out: Int16Array[] = [];
    let at = 0;
    for (; at + this.#size <= data.length; at += this.#size) {
      out.push(data.slice(at, at + this.#size));
    }
    this.#carry = data.slice(at);
    return out;
  }
}

export class EchoAligner {
  readonly #processor: FrameProcessor;
  readonly #deliver: (pcm: Int16Array) => void;
  readonly #now: () => number;
  readonly #slack: number;
  readonly #maxWaiting: number;
  readonly #log: ((line: string) => void) | undefined;
  readonly #onRealign: (() => void) | undefined;
  readonly #renderFramer: Framer;
  readonly #captureFramer: Framer;
  readonly #silence: Int16Array;
  /** Written speaker frames not yet given to the processor; the first has index #renderBase. */
  #render: Int16Array[] = [];
  #renderBase = 0;
  /** Index of the next speaker frame the processor gets. */
  #nextRenderFed = 0;
  /** Microphone frames waiting for their speaker frame (index = position in the stream). */
  #waiting: { frame: Int16Array; index: number }[] = [];
  #captured = 0;
  #lastCaptureAt: number | null = null;
  #calmLeads: number[] = [];
  /** Microphone frame j goes with speaker frame j + offset (null until measured). */
  #offset: number | null = null;
  /** After a burst the offset may be stale: microphone frames wait until calm leads agree. */
  #settled = false;
  #lastRenderAt: number | null = null;
  #lastRenderFrames = 0;
  /** The first speaker frame written late, after a stall: the speakers may have run dry before it. */
  #dryFrom: number | null = null;
  /** After the speakers ran dry: frames that pair (at the old offset) before the gap keep it. */
  #beforeGap: { offset: number; until: number } | null = null;

  constructor(processor: FrameProcessor, options: EchoAlignerOptions) {
    this.#processor = processor;
    this.#deliver = options.deliver;
    this.#now = options.now ?? (() => performance.now());
    this.#slack = options.slackFrames ?? 6;
    this.#maxWaiting = options.maxWaitingFrames ?? 60;
    this.#log = options.log;
    this.#onRealign = options.onRealign;
    this.#renderFramer = new Framer(processor.frameSamples);
    this.#captureFramer = new Framer(processor.frameSamples);
    this.#silence = new Int16Array(processor.frameSamples);
  }

  /** Speaker frames written so far. */
  get written(): number {
    return this.#renderBase + this.#render.length;
  }

  /** Microphone frame j is matched with speaker frame j + offset (null before it is known). */
  get offset(): number | null {
    return this.#offset;
  }

  /** PCM about to be written to the speakers, in order, silence included. */
  render(pcm: Int16Array): void {
    const at = this.#now();
    const chunkMs = (pcm.length / this.#processor.frameSamples) * 10;
    if (this.#lastRenderAt !== null && at - this.#lastRenderAt > chunkMs * 1.5) {
      this.#dryFrom ??= this.written;
    }
    this.#lastRenderAt = at;
    const frames = this.#renderFramer.frames(pcm);
    this.#lastRenderFrames = frames.length;
    for (const frame of frames) this.#render.push(frame);
    const excess = this.#render.length - MAX_RENDER_BACKLOG;
    if (excess > 0) {
      this.#render.splice(0, excess);
      this.#renderBase += excess;
    }
    this.#drain();
  }

  /** PCM from the microphone, in order; the processed audio goes to `deliver`. */
  capture(pcm: Int16Array): void {
    const frames = this.#captureFramer.frames(pcm);
    const at = this.#now();
    const chunkMs = (pcm.length / this.#processor.frameSamples) * 10;
    // On time: neither late (the loop stalled) nor part of a backlog delivered at once.
    const since = this.#lastCaptureAt === null ? 0 : at - this.#lastCaptureAt;
    const calm = since >= chunkMs / 2 && since <= chunkMs * 1.5;
    this.#lastCaptureAt = at;
    for (const frame of frames) this.#waiting.push({ frame, index: this.#captured++ });
    if (frames.length > 0) {
      if (calm) this.#observeCalm(this.#leadAt(at));
      else this.#unsettle();
    }
    this.#drain();
  }

  /**
   * Speaker frames written − microphone frames captured, at time `at`. Writes come a chunk
   * at a time while the device plays continuously, so the frames of the last chunk count
   * as they are played; otherwise the lead would jump by a chunk with the phase of the
   * two streams.
   */
  #leadAt(at: number): number {
    const sinceWrite = this.#lastRenderAt === null ? 0 : (at - this.#lastRenderAt) / 10;
    const played = Math.min(this.#lastRenderFrames, Math.max(0, sinceWrite));
    return this.written - this.#lastRenderFrames + played - this.#captured;
  }

  /** A backlog arrived at once: the loop stalled, and the speakers may have run dry. */
  #unsettle(): void {
    this.#settled = false;
    this.#calmLeads = [];
  }

  #observeCalm(lead: number): void {
    this.#calmLeads.push(lead);
    if (this.#calmLeads.length > CALM_AGREE) this.#calmLeads.shift();
    if (this.#calmLeads.length < CALM_AGREE) return;
    const sorted = [...this.#calmLeads].sort((a, b) => a - b);
    if (sorted.at(-1)! - sorted[0]! > 2) return;
    const before = this.#offset;
    const hysteresis = this.#settled ? SETTLED_HYSTERESIS : STALL_HYSTERESIS;
    this.#moveOffset(sorted[sorted.length >> 1]! - this.#slack, hysteresis);
    // A smaller lead: the speakers ran dry at the stall and the rest came that much later.
    if (before !== null && this.#offset! < before && this.#dryFrom !== null) {
      this.#beforeGap = { offset: before, until: this.#dryFrom };
    }
    this.#dryFrom = null;
    this.#settled = true;
  }

  /** Moves the offset to `target` (rounded) if it is at least `hysteresis` frames away. */
  #moveOffset(target: number, hysteresis: number): void {
    const before = this.#offset;
    if (before !== null && Math.abs(target - before) < hysteresis) return;
    const offset = Math.round(target);
    if (offset === before) return;
    this.#offset = offset;
    if (before === null) {
      // Speaker audio written before the microphone started is not in anything it hears.
      this.#nextRenderFed = Math.max(this.#nextRenderFed, (this.#waiting[0]?.index ?? 0) + offset);
    } else {
      this.#log?.(`echo alignment moved by ${(offset - before) * 10} ms`);
      this.#onRealign?.();
    }
  }

  /** Processes every waiting microphone frame whose speaker frame is written. */
  #drain(): void {
    const out: Int16Array[] = [];
    while (this.#waiting.length > 0) {
      const overdue = this.#waiting.length > this.#maxWaiting;
      // No calm moment for too long (heavy load): go on with the offset there is, or
      // with the lead as it is now when there is none yet.
      if (this.#offset === null && overdue) {
        this.#moveOffset(this.written - this.#captured - this.#slack, 0);
      }
      if (this.#offset === null || (!this.#settled && !overdue)) break;
      const head = this.#waiting[0]!;
      const pair = this.#pairOf(head.index, this.#offset);
      if (pair >= this.written) {
        if (!overdue) break;
        // Speaker audio stopped coming (closing, or a stall with no calm moment since):
        // count this frame as silence and keep the rest of the speaker audio in order.
        this.#offset -= 1;
        this.#onRealign?.();
        this.#processor.processRender(this.#silence);
      } else if (pair < this.#nextRenderFed) {
        // A frame the speakers never played (they ran dry): silence.
        this.#processor.processRender(this.#silence);
      } else {
        this.#feedRenderThrough(pair);
      }
      this.#waiting.shift();
      out.push(this.#processor.processCapture(head.frame));
    }
    if (out.length > 0) this.#deliver(join(out));
  }

  /** The speaker frame that goes with microphone frame `index`. */
  #pairOf(index: number, offset: number): number {
    const gap = this.#beforeGap;
    if (gap) {
      // Until the gap, what was played is what was written before the stall.
      if (index + gap.offset < gap.until) return index + gap.offset;
      this.#beforeGap = null;
    }
    return index + offset;
  }

  /** Gives the processor every written speaker frame up to `index` it has not had yet. */
  #feedRenderThrough(index: number): void {
    for (; this.#nextRenderFed <= index; this.#nextRenderFed++) {
      // Frames dropped from a backlog the microphone never caught up with: silence.
      this.#processor.processRender(
        this.#render[this.#nextRenderFed - this.#renderBase] ?? this.#silence,
      );
    }
    const done = Math.min(this.#render.length, this.#nextRenderFed - this.#renderBase);
    if (done > 0) {
      this.#render.splice(0, done);
      this.#renderBase += done;
    }
  }
}

function join(frames: readonly Int16Array[]): Int16Array {
  if (frames.length === 1) return frames[0]!;
  const out = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}
