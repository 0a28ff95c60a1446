/**
 * The session's ears: the user input pipeline wired to the session's turns, speech controls,
 * preemptive replies and realtime model.
 */
import type { Scope } from '../core/scope.js';
import { UserInputPipeline } from '../input/user-input.js';
import type { AudioInput } from '../io/audio-input.js';
import type { PreemptiveReplies } from './preemptive-replies.js';
import type { SessionCore } from './session-core.js';
import { type SpeechRuns, speechControls } from './speech-controls.js';
import type { UserTurns } from './user-turns.js';

export interface ListeningParts {
  readonly scope: Scope;
  readonly input: AudioInput | undefined;
  readonly runs: SpeechRuns;
  readonly turns: UserTurns;
  readonly preemptive: PreemptiveReplies;
  /** When the agent first spoke in this session (the AEC warm-up counts from it). */
  readonly firstSpokeAt: () => number | undefined;
  readonly closed: () => boolean;
}

export function listenToUser(core: SessionCore, parts: ListeningParts): UserInputPipeline {
  const pipeline: UserInputPipeline = new UserInputPipeline({
    clock: core.clock,
    bus: core.bus,
    scope: parts.scope,
    input: parts.input,
    turnDetection: core.options.turnDetection,
    interruption: core.options.interruption,
    speech: speechControls({
      runs: parts.runs,
      stack: core.stack,
      clock: core.clock,
      aecWarmupMs: core.options.aecWarmupMs,
      firstSpokeAt: parts.firstSpokeAt,
    }),
    busyChanged: () => core.activity.changed(),
    commitTurn: (text, meta) => parts.turns.commitSpoken(text, meta),
    finalTranscript: (text, speechMs) => {
      if (!parts.closed()) parts.preemptive.predict(core.stack.top, text, speechMs);
    },
    speechResumed: () => parts.preemptive.discard('the user went on speaking'),
    tap: (frame) => core.realtime.pushAudio(frame),
    // A speech-to-speech model hears the audio: with no STT, speech alone is a turn.
    wordlessTurns: () => core.realtime.active !== undefined && !pipeline.transcribes,
  });
  return pipeline;
}
