import type { Clock } from '../clock/clock.js';
import { deferred } from '../core/deferred.js';
import { Replayable, type ReplayObserver } from '../core/replayable.js';
import type { Scope } from '../core/scope.js';
import type { EventBus } from '../events/emitter.js';
import type { LLM, LLMChunk, LLMRequest } from '../models/llm.js';
import type { SynthesizedAudio, TTS } from '../models/tts.js';
import { SentenceSplitter } from './sentences.js';
import { sameRequest } from './step-request.js';

export interface PreemptionInit {
  /** The user's words so far, the request answers them. */
  readonly text: string;
  readonly llm: LLM;
  /** Exactly the request the reply's first step will make if nothing changes. */
  readonly request: LLMRequest;
  /** Synthesise the first sentence too (LiveKit's `preemptive_tts`). */
  readonly tts: TTS | undefined;
  readonly scope: Scope;
  readonly clock: Clock;
  readonly bus: EventBus;
}

/** The model (and TTS) to use for a reply's first step instead of asking again. */
export interface PreparedStep {
  readonly llm: LLM;
  readonly tts: TTS | undefined;
  /** When the early request was made and its stream arrived (its `metrics.llm`). */
  readonly timing: RequestTiming;
}

/** Session times of one model request's stream, as it arrived. */
export interface RequestTiming {
  readonly startedAt: number;
  firstChunkAt?: number;
  firstSentenceAt?: number;
  endAt?: number;
}

/**
 * A reply started at the final transcript, before the end of the user's turn (LiveKit's
 * preemptive generation). It runs in its own scope, which nobody waits on: a handoff, a task
 * or close() never waits for it. It never plays by itself — only a reply whose first step
 * would make the very same request takes it (`take`), and anything else discards it, leaving
 * no trace in the history.
 */
export class Preemption {
  readonly text: string;
  readonly #init: PreemptionInit;
  readonly #chunks: Replayable<LLMChunk>;
  #firstSentence: { text: string; audio: Replayable<SynthesizedAudio> } | undefined;
  #state: 'running' | 'taken' | 'discarded' = 'running';
  readonly #outcome = deferred<'used' | 'discarded'>();
  readonly #timing: RequestTiming;

  constructor(init: PreemptionInit) {
    this.#init = init;
    this.text = init.text;
    const ctx = { clock: init.clock, signal: init.scope.signal };
    init.bus.emit('preemptive.started', { text: init.text });
    const speculative = { outcome: this.#outcome.promise };
    this.#timing = { startedAt: init.clock.now() };
    this.#chunks = new Replayable(
      init.llm.chat({ ...init.request, speculative }, ctx),
      timingObserver(this.#timing, init.clock),
    );
    if (init.tts) {
      const tts = init.tts;
      void init.scope.spawn('preemptive speech', () => this.#synthesizeFirstSentence(tts));
    }
  }

  get active(): boolean {
    return this.#state === 'running';
  }

  /**
   * Hands the prepared work to a reply whose first step makes `request` with `tts`; when
   * anything differs (or the early request already failed) it is discarded instead.
   */
  take(request: LLMRequest, tts: TTS | undefined, speechId: string): PreparedStep | undefined {
    if (this.#state !== 'running') return undefined;
    if (!sameRequest(request, this.#init.request)) {
      this.discard('the request changed before the turn ended');
      return undefined;
    }
    if (this.#chunks.failedEmpty) {
      this.discard('the early request failed');
      return undefined;
    }
    this.#state = 'taken';
    this.#outcome.resolve('used');
    this.#init.bus.emit('preemptive.used', { text: this.text, speechId });
    const chunks = this.#chunks;
    const llm: LLM = { label: this.#init.llm.label, chat: () => chunks.read() };
    const first = this.#firstSentence;
    return { llm, tts: tts && first ? withFirstSentence(tts, first) : tts, timing: this.#timing };
  }

  discard(reason: string): void {
    if (this.#state !== 'running') return;
    this.#state = 'discarded';
    this.#outcome.resolve('discarded');
    this.#init.bus.emit('preemptive.discarded', { text: this.text, reason });
    void this.#init.scope.close(
      new Error(`preemptive reply discarded: ${reason}`),
      this.#init.clock,
      0,
    );
  }

  /**
   * The reply it was meant for is over (or interrupted): not taken yet, it is discarded;
   * taken, its model stream stops with the reply.
   */
  end(reason: string): void {
    if (this.#state === 'running') this.discard(reason);
    else void this.#init.scope.close(new Error(reason), this.#init.clock, 0);
  }

  async #synthesizeFirstSentence(tts: TTS): Promise<void> {
    const splitter = new SentenceSplitter();
    let sentence: string | undefined;
    for await (const chunk of this.#chunks.read()) {
      if (chunk.type !== 'text') continue;
      sentence = splitter.push(chunk.delta)[0];
      if (sentence) break;
    }
    sentence ??= splitter.flush();
    if (!sentence || this.#state === 'discarded') return;
    const ctx = { clock: this.#init.clock, signal: this.#init.scope.signal };
    const audio = new Replayable(tts.synthesize(oneItem(sentence), ctx));
    this.#firstSentence = { text: sentence, audio };
  }
}

/** Notes, as the stream arrives, when its first chunk, first sentence and end came. */
function timingObserver(timing: RequestTiming, clock: Clock): ReplayObserver<LLMChunk> {
  const splitter = new SentenceSplitter();
  return {
    item: (chunk) => {
      timing.firstChunkAt ??= clock.now();
      if (chunk.type === 'text' && splitter.push(chunk.delta).length > 0) {
        timing.firstSentenceAt ??= clock.now();
      }
    },
    end: () => {
      timing.endAt = clock.now();
      if (splitter.flush() !== undefined) timing.firstSentenceAt ??= timing.endAt;
    },
  };
}

async function* oneItem(text: string): AsyncIterable<string> {
  yield text;
}

/**
 * A TTS that plays the audio prepared for the first sentence, then synthesises the rest
 * (indexes shifted by one). If the first piece is not that sentence after all, it
 * synthesises everything itself.
 */
function withFirstSentence(
  tts: TTS,
  first: { text: string; audio: Replayable<SynthesizedAudio> },
): TTS {
  return {
    label: tts.label,
    sampleRate: tts.sampleRate,
    async *synthesize(text, ctx) {
      const pieces = text[Symbol.asyncIterator]();
      const head = await pieces.next();
      if (head.done) return;
      if (head.value !== first.text || first.audio.failedEmpty) {
        yield* tts.synthesize(prepend(head.value, pieces), ctx);
        return;
      }
      for await (const audio of first.audio.read()) {
        if (ctx.signal.aborted) return;
        yield audio;
      }
      for await (const audio of tts.synthesize(rest(pieces), ctx)) {
        yield { frame: audio.frame, textIndex: audio.textIndex + 1 };
      }
    },
  };
}

async function* prepend(head: string, tail: AsyncIterator<string>): AsyncIterable<string> {
  yield head;
  yield* rest(tail);
}

async function* rest(tail: AsyncIterator<string>): AsyncIterable<string> {
  for (let next = await tail.next(); !next.done; next = await tail.next()) yield next.value;
}
