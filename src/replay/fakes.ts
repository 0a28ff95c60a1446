import type { Clock } from '../runtime/clock/clock.js';
import type { AgentSession } from '../runtime/session/session.js';
import type { AgentSessionOptions } from '../runtime/session/session-options.js';
import {
  FakeAudioOutput,
  FakeLLM,
  type FakeLLMResponse,
  type FakeProviderFailure,
  type FakeRealtimeModel,
  FakeTTS,
  type FakeTTSFailure,
  FakeUserSpeech,
} from '../testing/index.js';
import type { StepActions } from './driver.js';
import { buildRealtimeFake } from './fake-realtime-script.js';
import { textMatcher } from './matchers.js';
import type {
  LLMResponseSpec,
  ModelsSpec,
  ProviderErrorSpec,
  SessionOptionsSpec,
  TTSFailureSpec,
} from './schema.js';
import { splitTtsAudio, type TTSAudioEntry } from './schema-models.js';
import { extraSessionOptions } from './schema-options.js';
import { SpeechTargets } from './speech-targets.js';

/** The scripted models of a session file, and the session calls its steps make. */

export interface ReplayFakes {
  llm: FakeLLM;
  /** The scripted realtime model, when the file gives `models.realtime` (it replaces `llm`). */
  realtime: FakeRealtimeModel | undefined;
  tts: FakeTTS;
  user: FakeUserSpeech;
  output: FakeAudioOutput;
}

/** Per-text audio lengths and times to first audio (a text without its own ttfb has none). */
function ttsAudioOptions(entries: Record<string, TTSAudioEntry>) {
  const { audioMs, ttfbMs } = splitTtsAudio(entries);
  return Object.keys(ttfbMs).length > 0 ? { audioMs, textTtfbMs: ttfbMs } : { audioMs };
}

export function toFakeResponse(spec: LLMResponseSpec): FakeLLMResponse {
  const out: FakeLLMResponse = {};
  if (spec.when) {
    const input = textMatcher(spec.when.input);
    const toolResult = textMatcher(spec.when.toolResult);
    const instructions = textMatcher(spec.when.instructions);
    out.when = {
      ...(input !== undefined ? { input } : {}),
      ...(toolResult !== undefined ? { toolResult } : {}),
      ...(spec.when.agent !== undefined ? { agent: spec.when.agent } : {}),
      ...(instructions !== undefined ? { instructions } : {}),
    };
  }
  if (spec.text !== undefined) out.text = spec.text;
  if (spec.toolCalls) {
    out.toolCalls = spec.toolCalls.map((c) => ({
      name: c.name,
      ...(c.arguments !== undefined ? { arguments: c.arguments } : {}),
      ...(c.id !== undefined ? { id: c.id } : {}),
    }));
  }
  if (spec.ttft !== undefined) out.ttftMs = spec.ttft;
  if (spec.duration !== undefined) out.durationMs = spec.duration;
  if (spec.repeat) out.repeat = true;
  if (spec.error) out.error = toFailure(spec.error);
  return out;
}

function toFailure(spec: ProviderErrorSpec): FakeProviderFailure {
  return {
    message: spec.message,
    ...(spec.status !== undefined ? { status: spec.status } : {}),
    ...(spec.retryable !== undefined ? { retryable: spec.retryable } : {}),
    ...(spec.retryAfter !== undefined ? { retryAfterMs: spec.retryAfter } : {}),
    ...(spec.provider !== undefined ? { provider: spec.provider } : {}),
  };
}

function toTTSFailure(spec: TTSFailureSpec): FakeTTSFailure {
  const when = textMatcher(spec.when);
  return {
    error: toFailure(spec.error),
    ...(when !== undefined ? { when } : {}),
    ...(spec.after !== undefined ? { afterMs: spec.after } : {}),
    ...(spec.afterAudio !== undefined ? { afterAudioMs: spec.afterAudio } : {}),
  };
}

/** `maxAudioMs`: no synthesis makes more audio than this (the run's virtual-time limit). */
export function buildFakes(models: ModelsSpec, clock: Clock, maxAudioMs: number): ReplayFakes {
  const responses = models.llm ?? [];
  const fallback = responses.filter((r) => r.fallback).at(-1);
  const llm = new FakeLLM({
    keepRequests: false,
    responses: responses.filter((r) => !r.fallback).map(toFakeResponse),
    ...(fallback ? { fallback: toFakeResponse(fallback) } : {}),
  });
  const t = models.tts ?? {};
  const tts = new FakeTTS({
    maxAudioMs,
    ...(t.msPerChar !== undefined ? { msPerChar: t.msPerChar } : {}),
    ...(t.ttfb !== undefined ? { ttfbMs: t.ttfb } : {}),
    ...(t.audio !== undefined ? ttsAudioOptions(t.audio) : {}),
    ...(t.sampleRate !== undefined ? { sampleRate: t.sampleRate } : {}),
    ...(t.failures !== undefined ? { failures: t.failures.map(toTTSFailure) } : {}),
    ...(t.stalls !== undefined
      ? {
          stalls: t.stalls.map((st) => {
            const when = textMatcher(st.when);
            return { afterAudioMs: st.afterAudio, ...(when !== undefined ? { when } : {}) };
          }),
        }
      : {}),
  });
  const output = new FakeAudioOutput(clock, {
    reporting: models.output?.kind !== 'never-reporting',
    canPause: models.output?.pausable ?? true,
    ...(models.output?.reportDelayMs ? { reportDelayMs: models.output.reportDelayMs } : {}),
  });
  const realtime = buildRealtimeFake(models.realtime, maxAudioMs);
  return { llm, realtime, tts, user: new FakeUserSpeech(), output };
}

/** AgentSession options from the file's `options:` (durations already in ms). */
export function sessionOptions(spec: SessionOptionsSpec): Partial<AgentSessionOptions> {
  const out: Partial<AgentSessionOptions> = {};
  if (spec.turnDetection) out.turnDetection = { ...spec.turnDetection };
  if (spec.interruption) out.interruption = { ...spec.interruption };
  if (spec.allowInterruptions !== undefined) out.allowInterruptions = spec.allowInterruptions;
  if (spec.maxToolSteps !== undefined) out.maxToolSteps = spec.maxToolSteps;
  if (spec.playoutSettleMs !== undefined) out.playoutSettleMs = spec.playoutSettleMs;
  if (spec.closeTimeoutMs !== undefined) out.closeTimeoutMs = spec.closeTimeoutMs;
  if (spec.retry !== undefined) out.retry = { ...spec.retry };
  if (spec.userData !== undefined) out.userData = structuredClone(spec.userData);
  return { ...out, ...extraSessionOptions(spec) };
}

/**
 * What each kind of step does to the session. `current()` is the session now (a reload step
 * replaces it); `reload` is the runner's, which owns the agent factory.
 */
export function sessionActions(
  current: () => AgentSession,
  fakes: ReplayFakes,
  clock: Clock,
  reload: () => Promise<void>,
  targets: SpeechTargets = new SpeechTargets(() => []),
): StepActions {
  return {
    speech: (a) => {
      const now = clock.now();
      fakes.user.speak({
        startMs: now,
        endMs: now + a.durationMs,
        transcript: a.transcript,
        ...(a.sttDelayMs !== null ? { sttDelayMs: a.sttDelayMs } : {}),
        ...(a.interim !== null ? { interim: a.interim } : {}),
      });
    },
    noise: (a) => {
      const now = clock.now();
      fakes.user.speak({ startMs: now, endMs: now + a.durationMs });
    },
    text: (a, stepId) => {
      targets.remember(stepId, current().sendUserText(a.text, { source: a.source }));
    },
    interrupt: async (a) => {
      if (!a.target) return current().interrupt({ force: a.force });
      targets.resolve(a.target, current())?.interrupt({ force: a.force });
    },
    say: (a, stepId) => {
      const handle = current().say(a.text, {
        ...(a.allowInterruptions !== null ? { allowInterruptions: a.allowInterruptions } : {}),
        ...(a.addToHistory !== null ? { addToHistory: a.addToHistory } : {}),
        ...(a.priority !== undefined ? { priority: a.priority } : {}),
      });
      targets.remember(stepId, handle);
    },
    reply: (a, stepId) => {
      const handle = current().generateReply({
        ...(a.instructions !== null ? { instructions: a.instructions } : {}),
        ...(a.userInput !== null ? { userInput: a.userInput } : {}),
        ...(a.allowInterruptions !== null ? { allowInterruptions: a.allowInterruptions } : {}),
        ...(a.toolChoice !== null ? { toolChoice: a.toolChoice } : {}),
      });
      targets.remember(stepId, handle);
    },
    close: (a) => current().close(a.reason),
    reload,
  };
}
