import type { Agent } from '../agents/agent.js';
import type { Activity, AgentStack } from '../agents/agent-stack.js';
import type { Clock } from '../clock/clock.js';
import type { ActorRuntime } from '../core/actor.js';
import type { IdGenerator } from '../core/ids.js';
import type { Scope } from '../core/scope.js';
import type { Waits } from '../core/waits.js';
import type { EventBus } from '../events/emitter.js';
import type { HistoryStore } from '../history/history-store.js';
import type { LLM } from '../models/llm.js';
import type { RealtimeModel } from '../models/realtime.js';
import type { TTS } from '../models/tts.js';
import type { Playout } from '../speech/playout.js';
import type { SpeechQueue } from '../speech/speech-queue.js';
import type { ToolRunnerDeps } from '../tools/tool-runner.js';
import type { ActivityTracker } from './activity-tracker.js';
import type { RealtimeLink } from './realtime-link.js';
import type { ResolvedPreemptiveGeneration } from './session-options.js';

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
  readonly preemptiveGeneration: ResolvedPreemptiveGeneration;
  readonly userAwayTimeoutMs: number | null;
  readonly aecWarmupMs: number;
}

/**
 * The parts of a session that its internal modules share, built in dependency order by
 * `assembleSession()`. Each module gets this instead of the AgentSession facade, so none of
 * them reaches into another's private state.
 */
export interface SessionCore {
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly ids: IdGenerator;
  readonly waits: Waits;
  /** The session's scope: everything the session starts is owned by it or a child of it. */
  readonly scope: Scope;
  readonly options: ResolvedSessionOptions;
  readonly history: HistoryStore;
  /** The agent stack; also the task runner agent code reaches through its actor. */
  readonly stack: AgentStack;
  readonly runtime: ActorRuntime;
  readonly queue: SpeechQueue;
  readonly playout: Playout;
  readonly outputLabel: string;
  readonly activity: ActivityTracker;
  readonly toolDeps: ToolRunnerDeps;
  readonly closing: boolean;
  /** The models an agent speaks with: a chat model (with the TTS) or a realtime model. */
  models(agent: Agent): {
    llm: LLM | undefined;
    tts: TTS | undefined;
    realtime: RealtimeModel | undefined;
  };
  /** The session's connections to realtime models. */
  readonly realtime: RealtimeLink;
  /** A background tool has news for the model: queue a reply of `activity`'s agent. */
  deferredReply(activity: Activity, toolCallId: string): void;
}
