import type { EventBus } from '../events/emitter.js';
import type { SessionEventMap, SpeechEnd, SpeechState } from '../events/types.js';

/**
 * The speech handle's one state machine (contract vocabulary):
 *
 *   queued → generating → playing ⇄ paused → awaiting_tools → queued (next step) … → done
 *   generating → paused (held before its first audio) → generating | playing
 *   any live state → interrupting → done(interrupted);  any live state → done(failed)
 *
 * `apply()`-style methods are the only way a state changes: each checks the move against the
 * table, sets the state and emits the matching event. An illegal move is a runtime bug and
 * throws. Every question other modules ask about a state is a predicate below, next to
 * the table, so no other file compares state strings.
 */
export type SpeechTransition =
  | 'queue'
  | 'generate'
  | 'play'
  | 'pause'
  | 'resume'
  | 'unhold'
  | 'await_tools'
  | 'interrupt'
  | 'complete'
  | 'fail'
  | 'finish_interrupted';

type From = readonly (SpeechState | 'new')[];

const TABLE: Record<SpeechTransition, { from: From; to: SpeechState }> = {
  queue: { from: ['new', 'awaiting_tools'], to: 'queued' },
  generate: { from: ['queued'], to: 'generating' },
  play: { from: ['generating'], to: 'playing' },
  pause: { from: ['generating', 'playing'], to: 'paused' },
  resume: { from: ['paused'], to: 'playing' },
  /** A hold before any audio ends: back to generating (nothing was heard yet). */
  unhold: { from: ['paused'], to: 'generating' },
  await_tools: { from: ['generating', 'playing', 'paused'], to: 'awaiting_tools' },
  interrupt: {
    from: ['queued', 'generating', 'playing', 'paused', 'awaiting_tools'],
    to: 'interrupting',
  },
  complete: { from: ['generating', 'playing', 'paused', 'awaiting_tools'], to: 'done' },
  fail: {
    from: ['queued', 'generating', 'playing', 'paused', 'awaiting_tools', 'interrupting'],
    to: 'done',
  },
  finish_interrupted: { from: ['interrupting'], to: 'done' },
};

type State = SpeechState | 'new';

/** Whether `transition` is legal from `state` (exported for the fuzzer's stream checks). */
export function canTransition(state: State, transition: SpeechTransition): boolean {
  return TABLE[transition].from.includes(state);
}

/** The handle still owes the user something (it is not done, nor being torn down). */
export function isLive(state: State): boolean {
  return state !== 'new' && state !== 'done' && state !== 'interrupting';
}

/** It holds the audio output right now (between getting it and releasing it). */
export function holdsOutput(state: State): boolean {
  return state === 'generating' || state === 'playing' || state === 'paused';
}

/** Its audio is reaching the user (or is held there by a possible false interruption). */
export function isAudible(state: State): boolean {
  return state === 'playing';
}

/** Its step is over and only its tools run: it does not hold the output. */
export function isAwaitingTools(state: State): boolean {
  return state === 'awaiting_tools';
}

/** An interruption can still change it. */
export function canInterrupt(state: State): boolean {
  return canTransition(state, 'interrupt');
}

/** Waiting for the output (or for its turn hook) without having started its step. */
export function isWaiting(state: State): boolean {
  return state === 'queued';
}

export function isPaused(state: State): boolean {
  return state === 'paused';
}

export function isGenerating(state: State): boolean {
  return state === 'generating';
}

/** Interrupted, or on its way to being so. */
export function isInterrupting(state: State): boolean {
  return state === 'interrupting';
}

/** The states in which a handle still owes the user something (for the fuzzer). */
export const LIVE_STATES: readonly SpeechState[] = [
  'queued',
  'generating',
  'playing',
  'paused',
  'awaiting_tools',
  'interrupting',
];

type Extra<K extends keyof SessionEventMap> = Omit<SessionEventMap[K], 'speechId' | 'state'>;

export class SpeechStateMachine {
  readonly speechId: string;
  readonly #bus: EventBus;
  #state: State = 'new';
  #end: SpeechEnd | undefined;

  constructor(speechId: string, bus: EventBus) {
    this.speechId = speechId;
    this.#bus = bus;
  }

  get state(): State {
    return this.#state;
  }

  get end(): SpeechEnd | undefined {
    return this.#end;
  }

  get isDone(): boolean {
    return this.#state === 'done';
  }

  /** The interrupt path or a failure took over: a step must not move the state again. */
  get stopped(): boolean {
    return this.#state === 'interrupting' || this.#state === 'done';
  }

  can(transition: SpeechTransition): boolean {
    return canTransition(this.#state, transition);
  }

  queue(extra: Extra<'speech.queued'>): void {
    this.#move('queue');
    this.#bus.emit('speech.queued', { speechId: this.speechId, state: 'queued', ...extra });
  }

  generate(extra: Extra<'speech.generating'>): void {
    this.#move('generate');
    this.#bus.emit('speech.generating', { speechId: this.speechId, state: 'generating', ...extra });
  }

  play(extra: Extra<'speech.playing'>): void {
    this.#move('play');
    this.#bus.emit('speech.playing', { speechId: this.speechId, state: 'playing', ...extra });
  }

  pause(extra: Extra<'speech.paused'>): void {
    this.#move('pause');
    this.#bus.emit('speech.paused', { speechId: this.speechId, state: 'paused', ...extra });
  }

  resume(extra: Extra<'speech.resumed'>): void {
    this.#move('resume');
    this.#bus.emit('speech.resumed', { speechId: this.speechId, state: 'playing', ...extra });
  }

  /** A hold before the first audio ended; the speech goes on generating. */
  unhold(extra: Extra<'speech.resumed'>): void {
    this.#move('unhold');
    this.#bus.emit('speech.resumed', { speechId: this.speechId, state: 'generating', ...extra });
  }

  awaitTools(extra: Extra<'speech.awaiting_tools'>): void {
    this.#move('await_tools');
    this.#bus.emit('speech.awaiting_tools', {
      speechId: this.speechId,
      state: 'awaiting_tools',
      ...extra,
    });
  }

  interrupt(extra: Extra<'speech.interrupted'>): void {
    this.#move('interrupt');
    this.#bus.emit('speech.interrupted', {
      speechId: this.speechId,
      state: 'interrupting',
      ...extra,
    });
  }

  finish(reason: SpeechEnd, extra: Omit<Extra<'speech.done'>, 'reason'>): void {
    const transition: SpeechTransition =
      reason === 'completed' ? 'complete' : reason === 'failed' ? 'fail' : 'finish_interrupted';
    this.#move(transition);
    this.#end = reason;
    this.#bus.emit('speech.done', { speechId: this.speechId, state: 'done', reason, ...extra });
  }

  #move(transition: SpeechTransition): void {
    if (!canTransition(this.#state, transition)) {
      throw new Error(
        `illegal speech transition ${transition} from ${this.#state} (${this.speechId})`,
      );
    }
    this.#state = TABLE[transition].to;
  }
}
