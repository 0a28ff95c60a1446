import type { Clock } from '../clock/clock.js';
import type { EventBus } from '../events/emitter.js';
import type { STTEvent } from '../models/stt.js';
import type { VADEvent } from '../models/vad.js';
import type { InterruptionOptions, TurnDetectionOptions } from '../session/session-core.js';

/** What turn-taking may do to the agent's speech. */
export interface SpeechControls {
  /** Whether interruptible speech is playing or about to (worth interrupting). */
  hasInterruptibleSpeech(): boolean;
  /** Pauses the playing speech if the output can; returns false if it could not. */
  pauseCurrent(): boolean;
  resumeCurrent(): void;
  /** Interrupts all interruptible speech on behalf of the user. */
  interruptForUser(by: 'user_speech'): void;
  readonly pausedSpeechId: string | undefined;
}

/** When a spoken turn's words ended and were transcribed, and which delay endpointed it. */
export interface SpokenTurnTiming {
  readonly endOfSpeechAt: number;
  readonly finalAt: number;
  readonly endpointingSetting: 'minEndpointingDelayMs' | 'maxEndpointingDelayMs';
}

interface Deps {
  /** An STT is listening: words can confirm or dismiss a pause. */
  readonly transcribes: boolean;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly turnDetection: TurnDetectionOptions;
  readonly interruption: InterruptionOptions;
  readonly speech: SpeechControls;
  commitTurn(text: string, meta: SpokenTurnTiming): void;
  /** `busy` changed without an event saying so. */
  busyChanged(): void;
}

/**
 * Turn-taking policy: when user speech interrupts the agent (minimum duration / words,
 * false-interruption pause and resume) and when a user turn ends (endpointing delay after
 * the last words). All timing goes through the session clock.
 */
export class TurnTaking {
  readonly #d: Deps;
  #speaking = false;
  #speechEndedAt = 0;
  #finals: string[] = [];
  #finalAt = 0;
  #interim = '';
  #cancelEndpoint: (() => void) | undefined;
  #cancelInterrupt: (() => void) | undefined;
  #cancelResume: (() => void) | undefined;
  #cancelAwaitFinal: (() => void) | undefined;
  #longEnough = false;

  constructor(deps: Deps) {
    this.#d = deps;
  }

  /**
   * The user is mid-turn: speaking, a turn about to be committed, or words heard (an interim
   * transcript) whose final transcript has not come yet (bounded by maxEndpointingDelayMs).
   */
  get busy(): boolean {
    return (
      this.#speaking || this.#cancelEndpoint !== undefined || this.#cancelAwaitFinal !== undefined
    );
  }

  onVAD(event: VADEvent): void {
    if (event.type === 'start_of_speech') this.#startOfSpeech();
    else if (event.type === 'end_of_speech') this.#endOfSpeech(event.speechMs);
  }

  /** `drivesSpeech`: with no VAD, the STT's own start/end of speech mark the user's speech. */
  onSTT(event: STTEvent, label: string, drivesSpeech: boolean): void {
    switch (event.type) {
      case 'start_of_speech':
        if (drivesSpeech) this.#startOfSpeech();
        return;
      case 'end_of_speech':
        if (drivesSpeech) this.#endOfSpeech(0);
        return;
      case 'interim':
        this.#interim = event.text;
        this.#d.bus.emit('user.transcript', { text: event.text, final: false });
        this.#wordsArrived();
        return;
      case 'final': {
        const text = event.text.trim();
        this.#interim = '';
        this.#cancelAwaitFinal?.();
        this.#cancelAwaitFinal = undefined;
        if (!text) return;
        this.#finals.push(text);
        this.#finalAt = this.#d.clock.now();
        this.#d.bus.emit('user.transcript', { text, final: true });
        this.#d.bus.emit('metrics.stt', {
          model: label,
          latencyMs: event.latencyMs ?? 0,
          audioMs: 0,
        });
        this.#wordsArrived();
        this.#scheduleEndpoint();
      }
    }
  }

  #startOfSpeech(): void {
    if (this.#speaking) return;
    this.#speaking = true;
    this.#longEnough = false;
    this.#cancelEndpoint?.();
    this.#cancelEndpoint = undefined;
    this.#cancelResume?.();
    this.#cancelResume = undefined;
    this.#d.bus.emit('user.speech_started', {});
    this.#d.bus.emit('user.state', { state: 'speaking' });
    this.#cancelInterrupt = this.#d.clock.timer(this.#d.interruption.minDurationMs, () => {
      this.#cancelInterrupt = undefined;
      this.#longEnough = true;
      this.#maybeInterrupt();
    });
  }

  #endOfSpeech(speechMs: number): void {
    if (!this.#speaking) return;
    this.#speaking = false;
    this.#speechEndedAt = this.#d.clock.now();
    this.#cancelInterrupt?.();
    this.#cancelInterrupt = undefined;
    this.#d.bus.emit('user.speech_ended', { speechMs });
    this.#d.bus.emit('user.state', { state: 'listening' });
    const paused = this.#d.speech.pausedSpeechId;
    if (paused && this.#words() === 0) this.#armResume(paused);
    if (this.#interim.trim() !== '') {
      this.#cancelAwaitFinal = this.#d.clock.timer(
        this.#d.turnDetection.maxEndpointingDelayMs,
        () => {
          this.#cancelAwaitFinal = undefined;
          this.#d.busyChanged();
        },
      );
    }
    this.#scheduleEndpoint();
  }

  /** Long enough and (if required) enough words: pause (maybe noise) or interrupt. */
  #maybeInterrupt(): void {
    if (!this.#longEnough || !this.#d.speech.hasInterruptibleSpeech()) return;
    const { minWords, resumeFalseInterruption } = this.#d.interruption;
    if (this.#words() < minWords) return;
    if (this.#words() > 0) {
      this.#d.speech.interruptForUser('user_speech');
      return;
    }
    // Only sound so far: hold the speech if we can, so noise costs nothing — but only when an
    // STT can tell words from noise; with the VAD alone, speech long enough interrupts.
    if (resumeFalseInterruption && this.#d.transcribes && this.#d.speech.pauseCurrent()) return;
    this.#d.speech.interruptForUser('user_speech');
  }

  #wordsArrived(): void {
    this.#cancelResume?.();
    this.#cancelResume = undefined;
    if (this.#d.speech.pausedSpeechId) {
      if (this.#words() >= Math.max(1, this.#d.interruption.minWords)) {
        this.#d.speech.interruptForUser('user_speech');
      }
      return;
    }
    if (this.#speaking || this.#longEnough) this.#maybeInterrupt();
  }

  #armResume(speechId: string): void {
    this.#cancelResume = this.#d.clock.timer(
      this.#d.interruption.falseInterruptionTimeoutMs,
      () => {
        this.#cancelResume = undefined;
        if (this.#d.speech.pausedSpeechId !== speechId || this.#words() > 0) return;
        this.#d.speech.resumeCurrent();
        this.#d.bus.emit('user.false_interruption', { speechId, resumed: true });
      },
    );
  }

  #scheduleEndpoint(): void {
    if (this.#speaking || this.#finals.length === 0) return;
    this.#cancelEndpoint?.();
    const sinceEnd = this.#d.clock.now() - this.#speechEndedAt;
    const { minEndpointingDelayMs, maxEndpointingDelayMs, endOfTurn } = this.#d.turnDetection;
    const likelyDone = endOfTurn ? endOfTurn(this.#finals.join(' ')) : true;
    const wait = likelyDone ? minEndpointingDelayMs : maxEndpointingDelayMs;
    const delay = Math.max(0, wait - sinceEnd);
    const commit = () => {
      this.#cancelEndpoint = undefined;
      const text = this.#finals.join(' ');
      this.#finals = [];
      this.#interim = '';
      this.#longEnough = false;
      this.#d.commitTurn(text, {
        endOfSpeechAt: this.#speechEndedAt,
        finalAt: this.#finalAt,
        endpointingSetting: likelyDone ? 'minEndpointingDelayMs' : 'maxEndpointingDelayMs',
      });
    };
    // The delay may already have passed (a late transcript): a timer would only add latency.
    if (delay <= 0) commit();
    else this.#cancelEndpoint = this.#d.clock.timer(delay, commit);
  }

  /** The session is closing: no turn may be committed from here on. */
  stop(): void {
    for (const cancel of [
      this.#cancelEndpoint,
      this.#cancelInterrupt,
      this.#cancelResume,
      this.#cancelAwaitFinal,
    ]) {
      cancel?.();
    }
    this.#cancelAwaitFinal = undefined;
    this.#cancelEndpoint = undefined;
    this.#cancelInterrupt = undefined;
    this.#cancelResume = undefined;
  }

  #words(): number {
    const text = [...this.#finals, this.#interim].join(' ').trim();
    return text ? text.split(/\s+/).length : 0;
  }
}
