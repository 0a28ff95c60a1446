import type { Clock } from '../clock/clock.js';
import type { EventBus } from '../events/emitter.js';
import type { STTEvent } from '../models/stt.js';
import type { VADEvent } from '../models/vad.js';
import type { InterruptionOptions, TurnDetectionOptions } from '../session/session-core.js';

/** What turn-taking may do to the agent's speech. */
export interface SpeechControls {
  /** Interruptible speech holds the output (generating, playing or held): worth interrupting. */
  hasInterruptibleSpeech(): boolean;
  /** Keeps a reply that has no audio out yet from starting to play (no state change). */
  holdFirstAudio(): void;
  /** Ends that hold: the reply plays as soon as its audio is there. */
  releaseFirstAudio(): void;
  /** Holds the current speech (a possible false interruption); false if it could not. */
  pauseCurrent(): boolean;
  resumeCurrent(): void;
  /** Interrupts interruptible speech (in play order) on behalf of the user. */
  interruptForUser(): void;
  readonly pausedSpeechId: string | undefined;
  /** The agent is in its echo-cancellation warm-up: the sound of the user alone does not interrupt. */
  inAecWarmup(): boolean;
}

/** When a spoken turn's words ended and were transcribed, and which delay endpointed it. */
export interface SpokenTurnTiming {
  readonly endOfSpeechAt: number;
  readonly finalAt: number;
  readonly endpointingSetting: 'minEndpointingDelayMs' | 'maxEndpointingDelayMs';
}

export interface TurnTakingDeps {
  /** An STT is listening: words can confirm or dismiss a pause. */
  transcribes(): boolean;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly turnDetection: TurnDetectionOptions;
  readonly interruption: InterruptionOptions;
  readonly speech: SpeechControls;
  commitTurn(text: string, meta: SpokenTurnTiming): void;
  /** A final transcript arrived and the user is not speaking: a turn may be about to end. */
  finalTranscript(textSoFar: string, speechMs: number): void;
  /** The user started speaking again: what was predicted from their words is stale. */
  speechResumed(): void;
  /** `busy` changed without an event saying so. */
  busyChanged(): void;
  /**
   * A speech-to-speech model hears the audio itself: speech long enough is a turn even
   * with no transcript (its words come later from the model).
   */
  wordlessTurns(): boolean;
}

/**
 * The user's side of a turn, as a state machine:
 *   quiet          nobody speaks; words refused by the minimum-words gate may be kept
 *   speaking       voice activity, shorter than the minimum interruption duration so far
 *   long_speech    voice activity long enough to interrupt the agent
 *   awaiting_final speech ended with words heard but no final transcript yet (bounded)
 *   endpointing    speech ended with final words: the turn commits after the endpointing delay
 *   false_alarm    speech ended without words while the agent's speech is held: it resumes
 *                  unless words arrive within the false-interruption timeout
 * Each state owns at most one timer, cancelled when the state is left.
 */
export type TurnState =
  | 'quiet'
  | 'speaking'
  | 'long_speech'
  | 'awaiting_final'
  | 'endpointing'
  | 'false_alarm';

const TRANSITIONS: Record<TurnState, readonly TurnState[]> = {
  quiet: ['speaking', 'endpointing'],
  speaking: ['long_speech', 'quiet', 'awaiting_final', 'endpointing', 'false_alarm'],
  long_speech: ['quiet', 'awaiting_final', 'endpointing', 'false_alarm'],
  awaiting_final: ['speaking', 'endpointing', 'quiet'],
  endpointing: ['speaking', 'endpointing', 'quiet'],
  false_alarm: ['speaking', 'endpointing', 'quiet'],
};

export class TurnTaking {
  readonly #d: TurnTakingDeps;
  #state: TurnState = 'quiet';
  #cancelStateTimer: (() => void) | undefined;
  #speechStartedAt = 0;
  #speechEndedAt = 0;
  #speechMs = 0;
  #finals: string[] = [];
  #finalAt = 0;
  #interim = '';
  /** A reply's first audio is held because the user started speaking. */
  #holding = false;
  /** This speech began in the echo-cancellation warm-up: its sound alone never interrupts. */
  #startedInWarmup = false;
  /** The last speech lasted the minimum interruption duration (its words may interrupt). */
  #longEnough = false;

  constructor(deps: TurnTakingDeps) {
    this.#d = deps;
  }

  get state(): TurnState {
    return this.#state;
  }

  /**
   * The user is mid-turn: speaking, a turn about to be committed, words heard whose final
   * transcript has not come yet, or a held speech waiting to learn whether that was noise.
   */
  get busy(): boolean {
    return this.#state !== 'quiet';
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
      case 'final':
        this.#final(event.text, label, event.latencyMs ?? 0);
    }
  }

  /**
   * A model with its own turn detection says the user stopped and their audio is committed:
   * the turn ends now (its silence was already waited for).
   */
  serverTurnEnded(): void {
    this.#endOfSpeech(0);
    if (this.#finals.length === 0) {
      this.#finals.push('');
      this.#speechEndedAt = this.#d.clock.now();
      this.#finalAt = this.#speechEndedAt;
    }
    this.#to('endpointing');
    this.#commit('minEndpointingDelayMs');
  }

  /** The agent stopped speaking: words kept back by the minimum-words gate become a turn. */
  agentStoppedSpeaking(): void {
    if (this.#state === 'quiet' && this.#finals.length > 0) this.#commit('minEndpointingDelayMs');
  }

  /** The session is closing: no turn may be committed from here on. */
  stop(): void {
    this.#cancelStateTimer?.();
    this.#cancelStateTimer = undefined;
    this.#state = 'quiet';
  }

  #to(next: TurnState, timer?: { ms: number; fire: () => void }): void {
    if (next !== this.#state && !TRANSITIONS[this.#state].includes(next)) {
      throw new Error(`illegal turn transition ${this.#state} → ${next}`);
    }
    this.#cancelStateTimer?.();
    this.#cancelStateTimer = undefined;
    const wasQuiet = this.#state === 'quiet';
    this.#state = next;
    if (timer) this.#cancelStateTimer = this.#d.clock.timer(timer.ms, timer.fire);
    if (wasQuiet !== (next === 'quiet')) this.#d.busyChanged();
  }

  #startOfSpeech(): void {
    if (this.#state === 'speaking' || this.#state === 'long_speech') return;
    this.#speechStartedAt = this.#d.clock.now();
    this.#startedInWarmup = this.#d.speech.inAecWarmup();
    this.#longEnough = false;
    this.#d.speechResumed();
    this.#d.bus.emit('user.speech_started', {});
    this.#d.bus.emit('user.state', { state: 'speaking' });
    // A reply about to start playing waits: this may be the user taking the turn back.
    if (!this.#d.speech.pausedSpeechId && this.#d.speech.hasInterruptibleSpeech()) {
      this.#d.speech.holdFirstAudio();
      this.#holding = true;
    }
    this.#to('speaking', {
      ms: this.#d.interruption.minDurationMs,
      fire: () => {
        this.#longEnough = true;
        this.#to('long_speech');
        this.#maybeInterrupt();
      },
    });
  }

  #endOfSpeech(speechMs: number): void {
    if (this.#state !== 'speaking' && this.#state !== 'long_speech') return;
    this.#speechEndedAt = this.#d.clock.now();
    this.#speechMs = speechMs || this.#speechEndedAt - this.#speechStartedAt;
    this.#d.bus.emit('user.speech_ended', { speechMs });
    this.#d.bus.emit('user.state', { state: 'listening' });
    // A speech held by an earlier long sound stays held through a short one (a cough in the
    // false-interruption timeout): the timeout counts again from this end, or it is stranded.
    const paused = this.#d.speech.pausedSpeechId;
    if (paused && this.#words() === 0) {
      this.#to('false_alarm', {
        ms: this.#d.interruption.falseInterruptionTimeoutMs,
        fire: () => this.#resumeAfterFalseAlarm(paused),
      });
      return;
    }
    // Short noise: the reply it held plays now.
    this.#releaseHold();
    if (this.#finals.length === 0 && this.#longEnough && this.#d.wordlessTurns()) {
      this.#finals.push('');
      this.#finalAt = this.#speechEndedAt;
    }
    if (this.#finals.length > 0) this.#scheduleEndpoint();
    else if (this.#interim.trim() !== '') {
      this.#to('awaiting_final', {
        ms: this.#d.turnDetection.maxEndpointingDelayMs,
        fire: () => this.#to('quiet'),
      });
    } else this.#to('quiet');
  }

  #final(raw: string, label: string, latencyMs: number): void {
    const text = raw.trim();
    this.#interim = '';
    if (!text) {
      if (this.#state === 'awaiting_final')
        this.#to(this.#finals.length > 0 ? 'endpointing' : 'quiet');
      return;
    }
    this.#finals.push(text);
    this.#finalAt = this.#d.clock.now();
    this.#d.bus.emit('user.transcript', { text, final: true });
    this.#d.bus.emit('metrics.stt', { model: label, latencyMs, audioMs: 0 });
    this.#wordsArrived();
    if (this.#state === 'speaking' || this.#state === 'long_speech') return;
    this.#scheduleEndpoint();
  }

  /**
   * Long enough and (if required) enough words: interrupt — or, with sound but no words yet,
   * hold the speech (maybe noise). Words may come after the speech ended (a late final).
   */
  #maybeInterrupt(): void {
    const speech = this.#d.speech;
    if (!this.#longEnough || this.#startedInWarmup) return;
    if (!speech.hasInterruptibleSpeech()) return;
    const { minWords, resumeFalseInterruption } = this.#d.interruption;
    const words = this.#words();
    if (words < minWords) return;
    if (words > 0) {
      this.#interrupt();
      return;
    }
    if (this.#state !== 'long_speech') return;
    // Only sound so far: hold the speech if we can, so noise costs nothing — but only when an
    // STT can tell words from noise; with the VAD alone, speech long enough interrupts.
    if (resumeFalseInterruption && this.#d.transcribes() && speech.pauseCurrent()) {
      this.#holding = false;
      return;
    }
    this.#interrupt();
  }

  #wordsArrived(): void {
    if (this.#startedInWarmup) return;
    if (this.#d.speech.pausedSpeechId) {
      if (this.#words() >= Math.max(1, this.#d.interruption.minWords)) this.#interrupt();
      return;
    }
    this.#maybeInterrupt();
  }

  #interrupt(): void {
    this.#holding = false;
    this.#d.speech.interruptForUser();
  }

  #releaseHold(): void {
    if (!this.#holding) return;
    this.#holding = false;
    this.#d.speech.releaseFirstAudio();
  }

  #resumeAfterFalseAlarm(speechId: string): void {
    this.#to(this.#finals.length > 0 ? 'endpointing' : 'quiet');
    if (this.#d.speech.pausedSpeechId !== speechId || this.#words() > 0) return;
    this.#d.speech.resumeCurrent();
    this.#d.bus.emit('user.false_interruption', { speechId, resumed: true });
    if (this.#finals.length > 0) this.#scheduleEndpoint();
  }

  #scheduleEndpoint(): void {
    if (this.#finals.length === 0) return;
    const sinceEnd = this.#d.clock.now() - this.#speechEndedAt;
    const { minEndpointingDelayMs, maxEndpointingDelayMs, endOfTurn } = this.#d.turnDetection;
    const likelyDone = endOfTurn ? endOfTurn(this.#finals.join(' ')) : true;
    const wait = likelyDone ? minEndpointingDelayMs : maxEndpointingDelayMs;
    const setting = likelyDone ? 'minEndpointingDelayMs' : 'maxEndpointingDelayMs';
    const delay = Math.max(0, wait - sinceEnd);
    // The delay may already have passed (a late transcript): a timer would only add latency.
    if (delay <= 0) {
      this.#to('endpointing');
      this.#commit(setting);
      return;
    }
    this.#to('endpointing', { ms: delay, fire: () => this.#commit(setting) });
    this.#d.finalTranscript(this.#finals.join(' '), this.#speechMs);
  }

  /**
   * Commits the words as a turn — unless interruptible speech plays and they are fewer than
   * the minimum: then they are kept and join the next words (LiveKit's min_words gate).
   */
  #commit(setting: SpokenTurnTiming['endpointingSetting']): void {
    const text = this.#finals.join(' ');
    const { minWords } = this.#d.interruption;
    const gated =
      minWords > 0 && this.#d.speech.hasInterruptibleSpeech() && countWords(text) < minWords;
    this.#to('quiet');
    if (gated) {
      this.#releaseHold();
      return;
    }
    this.#finals = [];
    this.#interim = '';
    this.#holding = false;
    this.#d.commitTurn(text, {
      endOfSpeechAt: this.#speechEndedAt,
      finalAt: this.#finalAt,
      endpointingSetting: setting,
    });
  }

  #words(): number {
    return countWords([...this.#finals, this.#interim].join(' '));
  }
}

function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed ? trimmed.split(/\s+/).length : 0;
}
