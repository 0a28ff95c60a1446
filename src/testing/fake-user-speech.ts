import type { AudioFrame } from '../runtime/audio/frame.js';
import type { Clock } from '../runtime/clock/clock.js';
import { Channel } from '../runtime/core/channel.js';
import type { ModelCallContext } from '../runtime/models/context.js';
import type { STT, STTEvent } from '../runtime/models/stt.js';
import type { VAD, VADEvent } from '../runtime/models/vad.js';

/** One scripted utterance, in session-clock milliseconds. No transcript = noise (VAD only). */
export interface FakeUtterance {
  startMs: number;
  endMs: number;
  transcript?: string;
  /** Delay from the end of speech to the final transcript. Default 100 ms. */
  sttDelayMs?: number;
  /** Send an interim transcript halfway through. Default true. */
  interim?: boolean;
}

interface Listener {
  readonly kind: 'vad' | 'stt';
  readonly clock: Clock;
  readonly out: Channel<VADEvent | STTEvent>;
  readonly cancels: (() => void)[];
}

/**
 * Scripted user speech, as both the session's VAD and STT: it ignores audio frames and
 * emits start/end of speech and transcripts at the scripted times on the session clock.
 */
export class FakeUserSpeech implements STT, VAD {
  readonly label = 'fake-user-speech';
  readonly sampleRate = 16000;
  readonly #utterances: FakeUtterance[] = [];
  readonly #listeners = new Set<Listener>();

  constructor(utterances: FakeUtterance[] = []) {
    for (const u of utterances) this.#utterances.push(u);
  }

  /** Adds an utterance at runtime (times are absolute; past times start at once). */
  speak(utterance: FakeUtterance): void {
    this.#utterances.push(utterance);
    for (const listener of this.#listeners) this.#schedule(listener, utterance);
  }

  detect(frames: AsyncIterable<AudioFrame>, ctx: ModelCallContext): AsyncIterable<VADEvent> {
    return this.#listen('vad', frames, ctx) as AsyncIterable<VADEvent>;
  }

  recognize(frames: AsyncIterable<AudioFrame>, ctx: ModelCallContext): AsyncIterable<STTEvent> {
    return this.#listen('stt', frames, ctx) as AsyncIterable<STTEvent>;
  }

  #listen(kind: 'vad' | 'stt', frames: AsyncIterable<AudioFrame>, ctx: ModelCallContext) {
    const listener: Listener = { kind, clock: ctx.clock, out: new Channel(), cancels: [] };
    this.#listeners.add(listener);
    const stop = () => {
      this.#listeners.delete(listener);
      for (const cancel of listener.cancels) cancel();
      listener.out.close();
    };
    ctx.signal.addEventListener('abort', stop, { once: true });
    // Drain frames so a real input does not back up; their content is ignored.
    void (async () => {
      for await (const _ of frames) {
        // ignored
      }
    })().catch(() => {});
    for (const u of this.#utterances) this.#schedule(listener, u);
    return listener.out;
  }

  #schedule(listener: Listener, u: FakeUtterance): void {
    const at = (ms: number, event: VADEvent | STTEvent) => {
      const delay = Math.max(0, ms - listener.clock.now());
      listener.cancels.push(listener.clock.timer(delay, () => listener.out.push(event)));
    };
    const speechMs = u.endMs - u.startMs;
    if (listener.kind === 'vad') {
      at(u.startMs, { type: 'start_of_speech' });
      at(u.endMs, { type: 'end_of_speech', speechMs });
      return;
    }
    if (u.transcript === undefined) return;
    at(u.startMs, { type: 'start_of_speech' });
    if (u.interim !== false) {
      const words = u.transcript.split(/\s+/);
      const half = words.slice(0, Math.max(1, Math.ceil(words.length / 2))).join(' ');
      at(u.startMs + speechMs / 2, { type: 'interim', text: half });
    }
    at(u.endMs, { type: 'end_of_speech' });
    const delay = u.sttDelayMs ?? 100;
    at(u.endMs + delay, { type: 'final', text: u.transcript, latencyMs: delay });
  }
}
