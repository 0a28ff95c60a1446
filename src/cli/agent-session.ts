import type { Clock } from '../runtime/clock/clock.js';
import type { AudioInput } from '../runtime/io/audio-input.js';
import type { AudioOutput } from '../runtime/io/audio-output.js';
import type { LLM } from '../runtime/models/llm.js';
import { isRealtimeModel, type RealtimeModel } from '../runtime/models/realtime.js';
import type { TTS } from '../runtime/models/tts.js';
import type { VAD } from '../runtime/models/vad.js';
import { AgentSession } from '../runtime/session/session.js';
import type { ChosenModels } from './providers.js';

export interface AgentSessionParts {
  readonly clock: Clock;
  readonly models: ChosenModels;
  /** Replace the chosen LLM / TTS (e.g. wrapped by a recorder). */
  readonly llm?: LLM | RealtimeModel;
  readonly tts?: TTS | undefined;
  readonly output: AudioOutput;
  /** No input: text mode (typed turns only), and then no speech-to-text either. */
  readonly input?: AudioInput | undefined;
  readonly vad?: VAD | undefined;
}

/**
 * The session `dev` and `connect` run in their console, and every job of `start` runs in a
 * room: the chosen models, speech-to-text only when there is audio input. A realtime model
 * hears the input itself: its server VAD finds the turns and it transcribes them, so there
 * is no local VAD or STT (two detectors would disagree about when the user spoke).
 */
export function createAgentSession(parts: AgentSessionParts): AgentSession {
  const { models, input } = parts;
  const llm = parts.llm ?? models.llm;
  const tts = 'tts' in parts ? parts.tts : models.tts;
  const hearsLocally = input !== undefined && !isRealtimeModel(llm);
  const vad = hearsLocally ? parts.vad : undefined;
  const stt = hearsLocally ? models.stt?.(vad) : undefined;
  return new AgentSession({
    clock: parts.clock,
    llm,
    ...(tts ? { tts } : {}),
    ...(stt ? { stt } : {}),
    ...(vad ? { vad } : {}),
    ...(input ? { input } : {}),
    output: parts.output,
  });
}
