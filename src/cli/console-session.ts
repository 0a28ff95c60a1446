/**
 * Builds one console session: its clock, its output (the speakers or a room, else a clocked
 * output for text mode) behind the voice meter, the recorder when asked, and the models.
 */
import type { SessionRecorder } from '../replay/recorder.js';
import { RealClock } from '../runtime/clock/real-clock.js';
import type { AudioInput } from '../runtime/io/audio-input.js';
import type { AudioOutput } from '../runtime/io/audio-output.js';
import { ClockedOutput } from '../runtime/io/clocked-output.js';
import { isRealtimeModel } from '../runtime/models/realtime.js';
import type { VAD } from '../runtime/models/vad.js';
import type { AgentSession } from '../runtime/session/session.js';
import { createAgentSession } from './agent-session.js';
import { OutputMeter } from './output-meter.js';
import type { ChosenModels } from './providers.js';

export interface ConsoleSessionInit {
  models: ChosenModels;
  /** The microphone and speakers (or a room), in audio mode. */
  audio?: { readonly input: AudioInput; readonly output: AudioOutput } | undefined;
  vad?: VAD | undefined;
  /** The run's recorder (one for every session of a console run), given this session's output. */
  recorder?: ((output: AudioOutput) => SessionRecorder) | undefined;
}

export interface ConsoleSession {
  readonly session: AgentSession;
  /** The level of the agent's voice as it plays. */
  readonly meter: OutputMeter;
  readonly recorder: SessionRecorder | undefined;
}

export function buildConsoleSession(init: ConsoleSessionInit): ConsoleSession {
  const { models, audio } = init;
  const clock = new RealClock();
  const output = audio?.output ?? new ClockedOutput(clock, { label: 'text mode (no speakers)' });
  let llm = models.llm;
  let tts = models.tts;
  const recorder = init.recorder?.(output);
  if (recorder) {
    // A realtime model's responses are not recorded as scripted replies (see recorder.ts).
    if (!isRealtimeModel(llm)) llm = recorder.wrapLLM(llm);
    if (tts) tts = recorder.wrapTTS(tts);
  }
  const meter = new OutputMeter(output);
  const session = createAgentSession({
    clock,
    models,
    llm,
    tts,
    output: meter,
    input: audio?.input,
    vad: init.vad,
  });
  recorder?.attach(session);
  return { session, meter, recorder };
}
