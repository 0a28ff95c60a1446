import type { Clock } from '../runtime/clock/clock.js';
import type { AudioInput } from '../runtime/io/audio-input.js';
import type { AudioOutput } from '../runtime/io/audio-output.js';
import type { LLM } from '../runtime/models/llm.js';
import type { TTS } from '../runtime/models/tts.js';
import type { VAD } from '../runtime/models/vad.js';
import { AgentSession } from '../runtime/session/session.js';
import type { ChosenModels } from './providers.js';

export interface AgentSessionParts {
  readonly clock: Clock;
  readonly models: ChosenModels;
  /** Replace the chosen LLM / TTS (e.g. wrapped by a recorder). */
  readonly llm?: LLM;
  readonly tts?: TTS | undefined;
  readonly output: AudioOutput;
  /** No input: text mode (typed turns only), and then no speech-to-text either. */
  readonly input?: AudioInput | undefined;
  readonly vad?: VAD | undefined;
}

/**
 * The session `dev` and `connect` run in their console, and every job of `start` runs in a
 * room: the chosen models, speech-to-text only when there is audio input.
 */
export function createAgentSession(parts: AgentSessionParts): AgentSession {
  const { models, input } = parts;
  const tts = 'tts' in parts ? parts.tts : models.tts;
  const vad = input ? parts.vad : undefined;
  const stt = input ? models.stt?.(vad) : undefined;
  return new AgentSession({
    clock: parts.clock,
    llm: parts.llm ?? models.llm,
    ...(tts ? { tts } : {}),
    ...(stt ? { stt } : {}),
    ...(vad ? { vad } : {}),
    ...(input ? { input } : {}),
    output: parts.output,
  });
}
