import {
  type AudioFrame,
  type AudioOutput,
  ClockedOutput,
  type LLM,
  type LLMChunk,
  type PlaybackEvent,
  RealClock,
  type STT,
  type STTEvent,
  type SynthesizedAudio,
  type TTS,
  toneFrame,
} from '../src/index.js';

/**
 * Zero-latency scripted models for the benchmarks: they answer at once, with no timer of
 * their own, so what is measured is the runtime's own scheduling.
 */

/** Replies `text` at once (and the tool calls, if any). */
export class ZeroLLM implements LLM {
  readonly label = 'zero-llm';
  constructor(readonly text = 'Hello there.') {}

  async *chat(): AsyncIterable<LLMChunk> {
    yield { type: 'text', delta: this.text };
    yield { type: 'usage', promptTokens: 1, completionTokens: 1 };
  }
}

/** `framesPerPiece` frames of 20 ms per text piece, at once. */
export class ZeroTTS implements TTS {
  readonly label = 'zero-tts';
  readonly sampleRate = 16000;
  readonly #frame: AudioFrame = toneFrame(20, 16000, 440);
  constructor(readonly framesPerPiece = 5) {}

  async *synthesize(text: AsyncIterable<string>): AsyncIterable<SynthesizedAudio> {
    let index = 0;
    for await (const _ of text) {
      for (let i = 0; i < this.framesPerPiece; i++) yield { frame: this.#frame, textIndex: index };
      index++;
    }
  }
}

/** An STT the benchmark drives by hand: `push()` delivers an event now. */
export class PushSTT implements STT {
  readonly label = 'push-stt';
  readonly sampleRate = 16000;
  readonly #queue: STTEvent[] = [];
  #wake: (() => void) | undefined;

  push(event: STTEvent): void {
    this.#queue.push(event);
    this.#wake?.();
  }

  async *recognize(
    frames: AsyncIterable<AudioFrame>,
    ctx: { signal: AbortSignal },
  ): AsyncIterable<STTEvent> {
    void (async () => {
      for await (const _ of frames) {
        // drained
      }
    })().catch(() => {});
    ctx.signal.addEventListener('abort', () => this.#wake?.(), { once: true });
    while (!ctx.signal.aborted) {
      const next = this.#queue.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}

/**
 * An output that notes when the first frame of each segment arrives and reports playback
 * at once (flush: finished; clear: interrupted), or never with `reporting: false`.
 */
export class InstantOutput implements AudioOutput {
  readonly label: string;
  readonly sampleRate = 16000;
  readonly canPause = false;
  readonly #listeners = new Set<(e: PlaybackEvent) => void>();
  #inSegment = false;
  #pushed = 0;
  /** Called with the wall time of the first frame of every segment. */
  onFirstFrame: (at: number) => void = () => {};
  cleared = 0;

  constructor(readonly reporting = true) {
    this.label = reporting ? 'instant output' : 'silent output';
  }

  captureFrame(frame: AudioFrame): void {
    if (!this.#inSegment) {
      this.#inSegment = true;
      this.onFirstFrame(performance.now());
    }
    this.#pushed += (frame.samplesPerChannel / frame.sampleRate) * 1000;
  }

  flush(): void {
    this.#end(false);
  }

  clear(): void {
    this.cleared++;
    this.#end(true);
  }

  onPlayback(listener: (event: PlaybackEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #end(interrupted: boolean): void {
    if (!this.#inSegment) return;
    this.#inSegment = false;
    const positionMs = interrupted ? 0 : this.#pushed;
    this.#pushed = 0;
    if (!this.reporting) return;
    for (const l of [...this.#listeners]) l({ type: 'finished', positionMs, interrupted });
  }
}

/** A real-time output on the wall clock (plays at 1×) that notes first frames and clears. */
export class RealTimeOutput extends ClockedOutput {
  onFirstFrame: (at: number) => void = () => {};
  cleared = 0;

  constructor(reporting: boolean) {
    super(new RealClock(), { reporting, label: reporting ? 'real-time output' : 'silent output' });
  }

  override clear(): void {
    this.cleared++;
    super.clear();
  }

  protected override onSegmentStart(): void {
    this.onFirstFrame(performance.now());
  }
}
