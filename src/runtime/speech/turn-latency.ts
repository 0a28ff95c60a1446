import type { EventBus } from '../events/emitter.js';
import type { TurnLatencyParts } from '../events/types.js';

/** When a user turn's words ended and were committed (session clock, ms). */
export interface UserTurnTiming {
  readonly id: string;
  /** The user stopped speaking (for typed input: when it was sent). */
  readonly endOfSpeechAt: number;
  /** The final transcript arrived (for typed input: when it was sent). */
  readonly finalAt: number;
  readonly committedAt: number;
  readonly endpointingSetting: 'minEndpointingDelayMs' | 'maxEndpointingDelayMs' | null;
}

/** Moments of one step, filled in by the generation as they happen. */
export interface StepTiming {
  /** The step got the output and asked its model (or started speaking fixed text). */
  startedAt: number;
  firstTokenAt?: number;
  firstSentenceAt?: number;
  /** The first text was handed to the TTS. */
  ttsFirstTextAt?: number;
  firstAudioAt?: number;
}

/**
 * Splits the latency of the reply to one user turn into parts that add up to the whole
 * (user stopped speaking → the output started playing the answer), and emits it once as
 * `metrics.turn`.
 */
export class TurnLatency {
  readonly #turn: UserTurnTiming;
  readonly #bus: EventBus;
  readonly #speechId: string;
  #hookDoneAt: number | undefined;
  #firstStepAt: number | undefined;
  #emitted = false;

  constructor(turn: UserTurnTiming, speechId: string, bus: EventBus) {
    this.#turn = turn;
    this.#speechId = speechId;
    this.#bus = bus;
  }

  hookDone(at: number): void {
    this.#hookDoneAt ??= at;
  }

  stepStarted(at: number): void {
    this.#firstStepAt ??= at;
  }

  /**
   * The answer's first audio went out in a step with `timing`; the output started playing it
   * at `outputStartedAt` (or never said so: then the push time counts).
   */
  firstAudio(timing: StepTiming, outputStartedAt: number | undefined): void {
    if (this.#emitted || timing.firstAudioAt === undefined) return;
    this.#emitted = true;
    const t = this.#turn;
    const firstAudioAt = timing.firstAudioAt;
    const hookDoneAt = this.#hookDoneAt ?? t.committedAt;
    const firstStepAt = this.#firstStepAt ?? timing.startedAt;
    const firstTokenAt = timing.firstTokenAt ?? timing.startedAt;
    const firstSentenceAt = timing.firstSentenceAt ?? firstTokenAt;
    const ttsStart = Math.max(firstSentenceAt, timing.ttsFirstTextAt ?? firstSentenceAt);
    const playingAt = Math.max(firstAudioAt, outputStartedAt ?? firstAudioAt);
    const span = (from: number, to: number) => Math.max(0, to - from);
    const parts: TurnLatencyParts = {
      transcriptionMs: span(t.endOfSpeechAt, t.finalAt),
      endpointingMs: span(Math.max(t.endOfSpeechAt, t.finalAt), t.committedAt),
      hookMs: span(t.committedAt, hookDoneAt),
      queueMs: span(hookDoneAt, firstStepAt),
      toolsMs: span(firstStepAt, timing.startedAt),
      llmTtftMs: span(timing.startedAt, firstTokenAt),
      // Text arriving after the model's first sentence still waits for the TTS here.
      llmSentenceMs: span(firstTokenAt, ttsStart),
      ttsTtfbMs: span(ttsStart, firstAudioAt),
      outputMs: span(firstAudioAt, playingAt),
    };
    this.#bus.emit('metrics.turn', {
      turnId: t.id,
      speechId: this.#speechId,
      e2eMs: Object.values(parts).reduce((a, b) => a + b, 0),
      parts,
      endpointingSetting: parts.endpointingMs > 0 ? t.endpointingSetting : null,
    });
  }
}
