import type { Clock } from '../clock/clock.js';
import type { EventBus } from '../events/emitter.js';
import type { AgentState } from '../events/types.js';
import { isAudible, isAwaitingTools, isGenerating, isWaiting } from '../speech/speech-state.js';
import type { ActivityTracker } from './activity-tracker.js';
import type { SpeechRuns } from './speech-controls.js';

/**
 * Derives the agent's state as LiveKit defines it and announces each change as an
 * `agent.state` event, once per instant (changes within one instant are coalesced, so a
 * preamble followed by its tool reply, or an interruption followed by a new reply, goes
 * `speaking → thinking` with no `listening` in between):
 *   speaking   a speech's audio is playing
 *   thinking   a reply is queued or generating (not held), or a tool works on the turn
 *   listening  otherwise — including speech held by a possible false interruption and a
 *              tool parked on a task that waits for the user's answer
 */
export class AgentStateTracker {
  readonly #clock: Clock;
  readonly #bus: EventBus;
  readonly #runs: SpeechRuns;
  readonly #activity: ActivityTracker;
  #state: AgentState = 'listening';
  #scheduled = false;
  #stopped = false;

  constructor(deps: { clock: Clock; bus: EventBus; runs: SpeechRuns; activity: ActivityTracker }) {
    this.#clock = deps.clock;
    this.#bus = deps.bus;
    this.#runs = deps.runs;
    this.#activity = deps.activity;
  }

  get state(): AgentState {
    return this.#state;
  }

  /** Something may have changed: look again at the end of this instant. */
  changed(): void {
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    this.#clock.timer(0, () => {
      this.#scheduled = false;
      if (this.#stopped) return;
      const next = this.#derive();
      if (next === this.#state) return;
      this.#state = next;
      this.#bus.emit('agent.state', { state: next });
    });
  }

  stop(): void {
    this.#stopped = true;
  }

  #derive(): AgentState {
    let thinking = this.#activity.hasWorkingTools();
    for (const run of this.#runs.all()) {
      if (isAudible(run.state)) return 'speaking';
      if (isGenerating(run.state) || isWaiting(run.state)) thinking = true;
      if (isAwaitingTools(run.state) && this.#activity.hasWorkingTools()) thinking = true;
    }
    return thinking ? 'thinking' : 'listening';
  }
}
