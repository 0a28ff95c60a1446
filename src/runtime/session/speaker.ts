import type { Activity } from '../agents/agent-stack.js';
import { currentActor, isInOnEnter, type WaitNode } from '../core/actor.js';
import type { Preemption } from '../speech/preemption.js';
import type { SpeechHandle } from '../speech/speech-handle.js';
import { SpeechPriority } from '../speech/speech-queue.js';
import type { SpeechContent } from '../speech/speech-request.js';
import { SpeechRun } from '../speech/speech-run.js';
import { isWaiting } from '../speech/speech-state.js';
import type { UserTurnTiming } from '../speech/turn-latency.js';
import type { SessionCore } from './session-core.js';
import type { SpeechRuns } from './speech-controls.js';

export interface SpeakOptions {
  readonly allowInterruptions: boolean | undefined;
  readonly addToHistory: boolean;
  readonly origin: 'api' | 'console' | undefined;
  readonly priority?: number;
  readonly userTurn?: UserTurnTiming;
  readonly before?: { promise: Promise<void>; node: WaitNode };
  readonly preemption?: Preemption;
  /** Speak for this activity instead of the caller's (a background tool's deferred reply). */
  readonly activity?: Activity;
}

/**
 * Creates the session's speech: who asks (the caller's actor) decides the agent it speaks
 * for, its origin and whether it belongs to an `onEnter`; every live speech is in `runs`.
 */
export class Speaker {
  readonly #core: SessionCore;
  readonly #runs: SpeechRuns;

  constructor(core: SessionCore, runs: SpeechRuns) {
    this.#core = core;
    this.#runs = runs;
  }

  speak(
    source: 'say' | 'reply' | 'tool_reply',
    content: SpeechContent,
    o: SpeakOptions,
  ): SpeechHandle {
    const core = this.#core;
    const actor = currentActor();
    const activity = o.activity ?? core.stack.activityOf(actor);
    const run = new SpeechRun(core, {
      source,
      content,
      activity,
      allowInterruptions:
        o.allowInterruptions ??
        activity.agent.allowInterruptions ??
        core.options.allowInterruptions,
      addToHistory: o.addToHistory,
      origin: o.userTurn ? 'user' : actor || o.activity ? 'agent' : (o.origin ?? 'api'),
      requester: actor,
      priority: o.priority ?? SpeechPriority.normal,
      onEnter: isInOnEnter(actor),
      ...(o.userTurn ? { userTurn: o.userTurn } : {}),
      ...(o.before ? { before: o.before } : {}),
      ...(o.preemption ? { preemption: o.preemption } : {}),
    });
    this.#runs.add(run);
    void run.handle.waitForPlayout().then(() => this.#runs.delete(run));
    run.start();
    return run.handle;
  }

  /** A background tool has news for the model: one reply, unless one is already waiting. */
  deferredReply(activity: Activity): void {
    if (this.#core.closing || !this.#core.stack.contains(activity)) return;
    const waiting = this.#runs
      .all()
      .some(
        (r) => r.activity === activity && r.handle.source === 'tool_reply' && isWaiting(r.state),
      );
    if (waiting) return;
    this.speak(
      'tool_reply',
      { kind: 'reply' },
      {
        allowInterruptions: undefined,
        addToHistory: true,
        origin: undefined,
        activity,
      },
    );
  }

  /** A realtime model speaks only its own replies: saying a text needs a TTS. */
  assertCanSay(hasAudio: boolean): void {
    if (hasAudio) return;
    const models = this.#core.models(this.#core.stack.activityOf(currentActor()).agent);
    if (models.realtime && !models.tts) {
      throw new Error(
        `say() needs a TTS with a realtime model (${models.realtime.label} speaks only its own replies): pass \`tts\` to the AgentSession or the Agent, or give say() audio`,
      );
    }
  }
}
