import type { Agent } from '../agents/agent.js';
import type { AgentStack } from '../agents/agent-stack.js';
import type { Clock } from '../clock/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { Scope } from '../core/scope.js';
import type { Waits } from '../core/waits.js';
import type { EventBus } from '../events/emitter.js';
import type { HistoryStore } from '../history/history-store.js';
import type { LLM } from '../models/llm.js';
import type { TTS } from '../models/tts.js';
import type { Playout } from '../speech/playout.js';
import type { SpeechQueue } from '../speech/speech-queue.js';
import type { ActivityTracker } from './activity-tracker.js';
import type { AgentSession } from './session.js';

export interface TurnDetectionOptions {
  /** Silence after the user's last words before the turn is committed. */
  readonly minEndpointingDelayMs: number;
  /** Upper bound when a turn detector thinks the user is not done. */
  readonly maxEndpointingDelayMs: number;
  /**
   * A turn detector: given the transcript so far, whether the user is likely done. When it
   * says no, the turn waits up to `maxEndpointingDelayMs` for more words instead of the
   * minimum delay. Without one, the minimum delay always applies.
   */
  readonly endOfTurn?: (transcript: string) => boolean;
}

export interface InterruptionOptions {
  /** User speech must last this long before it interrupts the agent. */
  readonly minDurationMs: number;
  /** …and, when > 0, have this many transcribed words. */
  readonly minWords: number;
  /** With a pausable output: resume if no words arrive within this time after speech ends. */
  readonly falseInterruptionTimeoutMs: number;
  readonly resumeFalseInterruption: boolean;
}

export interface ResolvedSessionOptions {
  readonly turnDetection: TurnDetectionOptions;
  readonly interruption: InterruptionOptions;
  readonly allowInterruptions: boolean;
  readonly maxToolSteps: number;
  readonly playoutSettleMs: number;
  readonly closeTimeoutMs: number;
  readonly retry: { readonly attempts: number; readonly baseDelayMs: number };
  readonly maxSynthesisAheadMs: number;
}

/**
 * The parts of a session that its internal modules share. Each module gets this instead of
 * the AgentSession facade, so none of them reaches into another's private state.
 */
export interface SessionCore {
  /** Identity of the session for actors (see core/actor.ts). */
  readonly key: object;
  readonly session: AgentSession<unknown>;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly ids: IdGenerator;
  readonly waits: Waits;
  readonly scope: Scope;
  readonly options: ResolvedSessionOptions;
  readonly history: HistoryStore;
  readonly stack: AgentStack;
  readonly queue: SpeechQueue;
  readonly playout: Playout;
  readonly outputLabel: string;
  readonly activity: ActivityTracker;
  readonly closing: boolean;
  models(agent: Agent): { llm: LLM | undefined; tts: TTS | undefined };
  isAgent(value: unknown): value is Agent;
}
