import type { SpeechEnd, SpeechSource, SpeechState } from '../events/types.js';

/** What a SpeechHandle reads from and asks of the runtime that drives it. */
export interface SpeechControl {
  readonly state: SpeechState | 'new';
  readonly end: SpeechEnd | undefined;
  interrupt(force: boolean): void;
  waitForPlayout(): Promise<void>;
}

/**
 * One assistant turn: what it says, the tools it calls and the follow-up steps their
 * results cause. Read-only from outside; the runtime's state machine moves it.
 * `await handle` is `await handle.waitForPlayout()`.
 */
export class SpeechHandle implements PromiseLike<void> {
  readonly id: string;
  readonly source: SpeechSource;
  readonly allowInterruptions: boolean;
  readonly #control: SpeechControl;

  constructor(
    init: { id: string; source: SpeechSource; allowInterruptions: boolean },
    control: SpeechControl,
  ) {
    this.id = init.id;
    this.source = init.source;
    this.allowInterruptions = init.allowInterruptions;
    this.#control = control;
  }

  get state(): SpeechState {
    const s = this.#control.state;
    return s === 'new' ? 'queued' : s;
  }

  /** How it ended, once `state` is `done`. */
  get endReason(): SpeechEnd | undefined {
    return this.#control.end;
  }

  get interrupted(): boolean {
    return this.#control.state === 'interrupting' || this.#control.end === 'interrupted';
  }

  get done(): boolean {
    return this.#control.state === 'done';
  }

  /** Interrupts this speech (with `force`, even if it does not allow interruptions). */
  interrupt(options: { force?: boolean } = {}): void {
    this.#control.interrupt(options.force === true);
  }

  /**
   * Resolves when the whole turn is done (played, interrupted or failed). Called from inside
   * one of this speech's own tools, it waits only for the part said before that tool
   * (contract C4): it never waits on itself and never throws for that reason.
   */
  waitForPlayout(): Promise<void> {
    return this.#control.waitForPlayout();
  }

  // biome-ignore lint/suspicious/noThenProperty: awaiting a handle waits for its playout, as in LiveKit.
  then<A = void, B = never>(
    // biome-ignore lint/suspicious/noConfusingVoidType: PromiseLike<void> requires this exact shape.
    onfulfilled?: ((value: void) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    return this.waitForPlayout().then(onfulfilled, onrejected);
  }
}
