import type { AgentSession } from '../session/session.js';
import type { SpeechHandle } from '../speech/speech-handle.js';

/** The tool call being executed. */
export interface FunctionCall {
  readonly id: string;
  readonly name: string;
  /** JSON text of the arguments as the model sent them. */
  readonly arguments: string;
}

/** What a tool receives besides its arguments. */
export class RunContext<UserData = unknown> {
  readonly session: AgentSession<UserData>;
  readonly speechHandle: SpeechHandle;
  readonly functionCall: FunctionCall;
  /** Aborted when the turn that made this call is interrupted or the session closes. */
  readonly signal: AbortSignal;
  readonly #waitForPlayout: () => Promise<void>;

  constructor(init: {
    session: AgentSession<UserData>;
    speechHandle: SpeechHandle;
    functionCall: FunctionCall;
    signal: AbortSignal;
    waitForPlayout: () => Promise<void>;
  }) {
    this.session = init.session;
    this.speechHandle = init.speechHandle;
    this.functionCall = init.functionCall;
    this.signal = init.signal;
    this.#waitForPlayout = init.waitForPlayout;
  }

  get userData(): UserData {
    return this.session.userData;
  }

  /**
   * Waits until the speech said before this tool call (the preamble) has played out.
   * Safe to call any number of times. Rejects with `InterruptedError` as soon as the turn
   * is interrupted (contract C5).
   */
  waitForPlayout(): Promise<void> {
    return this.#waitForPlayout();
  }
}
