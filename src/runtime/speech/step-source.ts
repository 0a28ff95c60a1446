import type { RealtimeModel, RealtimeSession } from '../models/realtime.js';
import type { TTS } from '../models/tts.js';
import type { SessionCore } from '../session/session-core.js';
import type { StepSource } from './generation.js';
import { realtimeStepSource } from './realtime-step.js';
import type { SpeechRequest } from './speech-request.js';
import { stepRequest } from './step-request.js';

/** Where one step of a speech gets its words and audio, and the TTS that voices them. */
export interface StepPlan {
  readonly source: StepSource;
  readonly tts: TTS | undefined;
  /** Set when a realtime model speaks the step (its connection, for truncation on interrupt). */
  readonly realtime?: { session: RealtimeSession; model: RealtimeModel };
}

/**
 * Plans step `step` of speech `speechId`: fixed text or audio for a `say()`, else the agent's
 * model with the history as it is now — a realtime model, a preemptive reply prepared for
 * exactly this request (first step only), or a fresh chat request.
 */
export function planStep(
  core: SessionCore,
  req: SpeechRequest,
  step: number,
  speechId: string,
): StepPlan {
  const content = req.content;
  const models = core.models(req.activity.agent);
  if (content.kind === 'say') {
    const source: StepSource = content.audio
      ? { kind: 'audio', text: content.text, audio: content.audio }
      : { kind: 'text', text: content.text };
    return { source, tts: models.tts };
  }
  const request = stepRequest({
    agent: req.activity.agent,
    history: core.history,
    ...(step === 0 && content.instructions ? { instructions: content.instructions } : {}),
    ...(content.toolChoice ? { toolChoice: content.toolChoice } : {}),
    step,
    maxToolSteps: core.options.maxToolSteps,
    onEnter: req.onEnter,
  });
  if (models.realtime) {
    const realtime = { session: core.realtime.sessionFor(models.realtime), model: models.realtime };
    return { ...realtimeStepSource(request, core.history.items, realtime, models.tts), realtime };
  }
  const llm = models.llm;
  if (!llm) throw new Error('no LLM configured: pass `llm` to the AgentSession or the Agent');
  const prepared = step === 0 ? req.preemption?.take(request, models.tts, speechId) : undefined;
  if (prepared) {
    const source: StepSource = {
      kind: 'llm',
      llm: prepared.llm,
      request,
      requestTiming: prepared.timing,
    };
    return { source, tts: prepared.tts };
  }
  return { source: { kind: 'llm', llm, request }, tts: models.tts };
}
