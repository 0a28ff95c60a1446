import type { AgentSession } from '../session/session.js';
import type { SpeechHandle } from '../speech/speech-handle.js';

/** The tool call being executed. */
export interface FunctionCall {
  /** The id the model gave this call. */
  readonly id: string;
  readonly name: string;
  /** JSON text of the arguments as the model sent them. */
  readonly arguments: string;
}

/** What the runtime does for a RunContext (one per tool call). */
export interface RunContextHooks {
  readonly signal: AbortSignal;
  waitForPlayout(): Promise<void>;
  update(message: string): void;
}

/** What a tool receives besides its arguments. */
export class RunContext<UserData = unknown> {
  readonly session: AgentSession<UserData>;
  readonly speechHandle: SpeechHandle;
  readonly functionCall: FunctionCall;
  /** voxagent's id for this call (as in `tool.started`). */
  readonly toolCallId: string;
  readonly #hooks: RunContextHooks;

  constructor(init: {
    session: AgentSession<UserData>;
    speechHandle: SpeechHandle;
    functionCall: FunctionCall;
    toolCallId: string;
    hooks: RunContextHooks;
  }) {
    this.session = init.session;
    this.speechHandle = init.speechHandle;
    this.functionCall = init.functionCall;
    this.toolCallId = init.toolCallId;
    this.#hooks = init.hooks;
  }

  get userData(): UserData {
    return this.session.userData;
  }

  /**
   * Aborted when the turn that made this call is interrupted before the tool reported
   * progress, when a background tool's agent leaves, or when the session closes.
   */
  get signal(): AbortSignal {
    return this.#hooks.signal;
  }

  /**
   * Waits until the speech said before this tool call (the preamble) has played out.
   * Safe to call any number of times. Rejects with `InterruptedError` as soon as the turn
   * is interrupted (contract C5).
   */
  waitForPlayout(): Promise<void> {
    return this.#hooks.waitForPlayout();
  }

  /**
   * Reports progress of a long-running tool (LiveKit's `context.update`). The first update
   * answers the model for now — the turn goes on with this message as the tool's interim
   * result (the agent may say so) while the tool keeps running in the background; the
   * final result then arrives as a later reply. Later updates are told the same way.
   */
  update(message: string): void {
    this.#hooks.update(message);
  }
}
