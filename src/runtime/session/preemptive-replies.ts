import type { Activity } from '../agents/agent-stack.js';
import type { Clock } from '../clock/clock.js';
import type { Scope } from '../core/scope.js';
import type { EventBus } from '../events/emitter.js';
import type { HistoryStore } from '../history/history-store.js';
import type { LLM } from '../models/llm.js';
import type { TTS } from '../models/tts.js';
import { Preemption } from '../speech/preemption.js';
import { stepRequest } from '../speech/step-request.js';
import { type ResolvedPreemptiveGeneration, resolvePreemptive } from './session-options.js';

export interface PreemptiveDeps {
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly scope: Scope;
  readonly history: HistoryStore;
  readonly options: ResolvedPreemptiveGeneration;
  readonly maxToolSteps: number;
  models(activity: Activity): { llm: LLM | undefined; tts: TTS | undefined };
}

/**
 * Starts a reply at each final transcript, before the turn ends (LiveKit's preemptive
 * generation, on by default), and hands it to the reply of the turn when the turn ends as
 * predicted. At most one is pending; it is discarded when the user goes on speaking, the
 * words change, another turn is committed, or the session closes.
 */
export class PreemptiveReplies {
  readonly #d: PreemptiveDeps;
  #pending: Preemption | undefined;
  #attempts = 0;

  constructor(deps: PreemptiveDeps) {
    this.#d = deps;
  }

  /** The user's words so far (`text`, `speechMs` of speech) may be their whole turn. */
  predict(activity: Activity, text: string, speechMs: number): void {
    const options = resolvePreemptive(activity.agent.preemptiveGeneration, this.#d.options);
    if (!options.enabled || speechMs > options.maxSpeechMs) return;
    if (this.#pending?.active && this.#pending.text === text) return;
    this.discard('the user said more');
    if (this.#attempts >= options.maxRetries) return;
    const { llm, tts } = this.#d.models(activity);
    if (!llm) return;
    this.#attempts++;
    const request = stepRequest({
      agent: activity.agent,
      history: this.#d.history,
      pendingUserText: text,
      step: 0,
      maxToolSteps: this.#d.maxToolSteps,
      onEnter: false,
    });
    this.#pending = new Preemption({
      text,
      llm,
      request,
      tts: options.preemptiveTts ? tts : undefined,
      scope: this.#d.scope.child(`preemptive reply (${text.slice(0, 24)})`),
      clock: this.#d.clock,
      bus: this.#d.bus,
    });
  }

  /** A turn with `text` was committed: the prediction, if it was for these words, goes with it. */
  claim(text: string): Preemption | undefined {
    this.#attempts = 0;
    const pending = this.#pending;
    this.#pending = undefined;
    if (!pending?.active) return undefined;
    if (pending.text !== text) {
      pending.discard('the turn ended with other words');
      return undefined;
    }
    return pending;
  }

  discard(reason: string): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.discard(reason);
  }
}
