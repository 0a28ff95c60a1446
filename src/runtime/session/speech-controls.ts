import type { AgentStack } from '../agents/agent-stack.js';
import type { Clock } from '../clock/clock.js';
import type { InterruptCause } from '../events/types.js';
import type { SpeechControls } from '../input/turn-taking.js';
import type { SpeechQueue } from '../speech/speech-queue.js';
import type { SpeechRun } from '../speech/speech-run.js';
import { holdsOutput, isAwaitingTools, isLive, isPaused } from '../speech/speech-state.js';

/** The session's live speeches, in the order the user hears them. */
export class SpeechRuns {
  readonly #runs = new Set<SpeechRun>();
  readonly #queue: SpeechQueue;

  constructor(queue: SpeechQueue) {
    this.#queue = queue;
  }

  add(run: SpeechRun): void {
    this.#runs.add(run);
  }

  delete(run: SpeechRun): void {
    this.#runs.delete(run);
  }

  all(): SpeechRun[] {
    return [...this.#runs];
  }

  get size(): number {
    return this.#runs.size;
  }

  /** The speech holding the output, if any. */
  current(): SpeechRun | undefined {
    const id = this.#queue.current?.id;
    return id === undefined ? undefined : [...this.#runs].find((r) => r.id === id);
  }

  /** The run that owns `speech` (a speech's actor). */
  ownerOf(speech: object): SpeechRun | undefined {
    return [...this.#runs].find((r) => r.actor === speech);
  }

  /**
   * Play order: the speech holding the output, then speeches whose tools run (their reply
   * goes ahead of normal speech), then the queue in order, then replies still waiting for
   * their turn hook.
   */
  playOrder(): SpeechRun[] {
    const live = [...this.#runs].filter((r) => isLive(r.state));
    const current = this.current();
    const waiting = this.#queue.waiting.map((w) => live.find((r) => r.id === w.id));
    const ordered = [
      ...(current ? [current] : []),
      ...live.filter((r) => isAwaitingTools(r.state)),
      ...waiting.filter((r): r is SpeechRun => r !== undefined),
    ];
    for (const run of live) if (!ordered.includes(run)) ordered.push(run);
    return ordered;
  }

  /**
   * Interrupts in play order. Without `force` the walk stops at the first speech that may
   * not be interrupted: it and everything behind it are left alone (LiveKit's rule).
   */
  interrupt(force: boolean, by: InterruptCause): SpeechRun[] {
    const interrupted: SpeechRun[] = [];
    for (const run of this.playOrder()) {
      if (!force && !run.allowInterruptions) break;
      if (run.interrupt(force, by)) interrupted.push(run);
    }
    // Speech held for the user that this did not end (it became shielded by a task its tool
    // awaits, say) plays on: a hold never outlives the decision it waited for.
    for (const run of this.#runs) {
      if (isPaused(run.state)) run.resume();
      run.releaseFirstAudio();
    }
    return interrupted;
  }
}

/** What turn-taking may do to the session's speech (hold, pause, resume, barge in). */
export function speechControls(deps: {
  runs: SpeechRuns;
  stack: AgentStack;
  clock: Clock;
  aecWarmupMs: number;
  firstSpokeAt: () => number | undefined;
}): SpeechControls {
  const { runs, stack } = deps;
  const interruptible = (run: SpeechRun | undefined): run is SpeechRun =>
    run?.allowInterruptions === true && !stack.isAwaitedByTaskOf(run.actor);
  return {
    hasInterruptibleSpeech: () => {
      const run = runs.current();
      return interruptible(run) && holdsOutput(run.state);
    },
    holdFirstAudio: () => {
      const run = runs.current();
      if (interruptible(run)) run.holdFirstAudio();
    },
    releaseFirstAudio: () => {
      for (const run of runs.all()) run.releaseFirstAudio();
    },
    pauseCurrent: () => {
      const run = runs.current();
      return interruptible(run) && run.pause();
    },
    resumeCurrent: () => {
      for (const run of runs.all()) if (isPaused(run.state)) run.resume();
    },
    interruptForUser: () => {
      runs.interrupt(false, 'user_speech');
    },
    get pausedSpeechId() {
      return runs.all().find((r) => isPaused(r.state))?.id;
    },
    inAecWarmup: () => {
      const since = deps.firstSpokeAt();
      return since !== undefined && deps.clock.now() - since < deps.aecWarmupMs;
    },
  };
}
