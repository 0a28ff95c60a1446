import type { EventBus } from '../events/emitter.js';
import type { AgentState } from '../events/types.js';
import type { SpeechControls } from '../input/turn-taking.js';
import type { SpeechRun } from '../speech/speech-run.js';
import type { SessionCore } from './session-core.js';

/** What turn-taking may do to the session's speech (barge-in, pause, resume). */
export function speechControls(
  core: SessionCore,
  runs: ReadonlySet<SpeechRun>,
  interruptAll: () => void,
): SpeechControls {
  const current = () => [...runs].find((r) => r.id === core.queue.current?.id);
  const interruptible = (run: SpeechRun | undefined): run is SpeechRun =>
    run?.allowInterruptions === true && !core.stack.isAwaitedByTaskOf(run.id);
  return {
    hasInterruptibleSpeech: () => {
      const run = current();
      return interruptible(run) && ['generating', 'playing', 'paused'].includes(run!.state);
    },
    pauseCurrent: () => {
      const run = current();
      if (!interruptible(run) || !core.playout.output.canPause) return false;
      return run!.pause();
    },
    resumeCurrent: () => {
      for (const run of runs) if (run.state === 'paused') run.resume();
    },
    interruptForUser: () => interruptAll(),
    get pausedSpeechId() {
      return [...runs].find((r) => r.state === 'paused')?.id;
    },
  };
}

/**
 * Derives the agent's state (listening / thinking / speaking) from speech and tool events
 * and announces each change as an `agent.state` event.
 */
export class AgentStateTracker {
  #state: AgentState = 'listening';
  #toolsRunning = 0;

  constructor(bus: EventBus, runs: ReadonlySet<SpeechRun>) {
    bus.onAny((event) => {
      if (event.type === 'tool.started') this.#toolsRunning++;
      else if (event.type === 'tool.finished') this.#toolsRunning--;
      else if (!event.type.startsWith('speech.')) return;
      const next = this.#derive(runs);
      if (next === this.#state) return;
      this.#state = next;
      bus.emit('agent.state', { state: next });
    });
  }

  #derive(runs: ReadonlySet<SpeechRun>): AgentState {
    let thinking = this.#toolsRunning > 0;
    for (const run of runs) {
      if (run.state === 'playing' || run.state === 'paused') return 'speaking';
      if (run.state === 'generating') thinking = true;
    }
    return thinking ? 'thinking' : 'listening';
  }
}
