import { UsageError } from '../runtime/core/errors.js';
import type { LLM } from '../runtime/models/llm.js';
import { isRealtimeModel, type RealtimeModel } from '../runtime/models/realtime.js';
import type { STT } from '../runtime/models/stt.js';
import type { TTS } from '../runtime/models/tts.js';
import type { VAD } from '../runtime/models/vad.js';
import { type AgentDemo, DEMO_EXAMPLE } from './agent-demo.js';

export type LLMChoice = 'openai' | 'openai-realtime' | 'demo';
export type TTSChoice = 'openai' | 'deepgram' | 'espeak' | 'none';
export type STTChoice = 'deepgram' | 'openai' | 'none';

export interface ProviderFlags {
  llm?: LLMChoice;
  llmModel?: string;
  tts?: TTSChoice;
  ttsModel?: string;
  /** The TTS voice; with `--llm openai-realtime`, the realtime model's voice. */
  voice?: string;
  stt?: STTChoice;
  sttModel?: string;
}

/** One line of the header: which model, and why that one. */
export interface ModelChoice {
  role: 'llm' | 'tts' | 'stt' | 'vad';
  name: string;
  why: string;
}

/** Builds the STT once the VAD is known (OpenAI transcription needs one to segment). */
export type STTFactory = (vad: VAD | undefined) => STT | undefined;

export interface ChosenModels {
  /** A chat model (spoken by the TTS), or a realtime model that hears and speaks itself. */
  llm: LLM | RealtimeModel;
  /** With a realtime model: only for `say()`. */
  tts: TTS | undefined;
  /** None with a realtime model: it transcribes the user itself. */
  stt: STTFactory | undefined;
  choices: ModelChoice[];
}

type Env = Readonly<Record<string, string | undefined>>;

const has = (env: Env, name: string) => (env[name] ?? '').trim().length > 0;

/**
 * Picks the models from flags, then from which API keys are set, then the offline
 * defaults. A provider asked for by name without its key fails with the variable to set.
 */
export async function chooseModels(
  flags: ProviderFlags,
  demo: AgentDemo | undefined,
  env: Env = process.env,
): Promise<ChosenModels> {
  const choices: ModelChoice[] = [];
  const llm = await chooseLLM(flags, demo, env, choices);
  const realtime = isRealtimeModel(llm);
  // The realtime model has the voice; the TTS (say() only) keeps its default one.
  const tts = await chooseTTS(
    realtime ? { ...flags, voice: undefined } : flags,
    demo,
    env,
    choices,
  );
  const stt = realtime ? realtimeHears(flags, choices) : await chooseSTT(flags, env, choices);
  return { llm, tts, stt, choices };
}

async function chooseLLM(
  flags: ProviderFlags,
  demo: AgentDemo | undefined,
  env: Env,
  choices: ModelChoice[],
): Promise<LLM | RealtimeModel> {
  const llmChoice: LLMChoice = flags.llm ?? (has(env, 'OPENAI_API_KEY') ? 'openai' : 'demo');
  if (llmChoice === 'openai-realtime') {
    const { OpenAIRealtimeModel, requireOpenAIKey } = await import('../../plugins/openai/index.js');
    requireOpenAIKey('realtime', env);
    const model = new OpenAIRealtimeModel({
      env,
      ...(flags.llmModel ? { model: flags.llmModel } : {}),
      ...(flags.voice ? { voice: flags.voice } : {}),
    });
    choices.push({ role: 'llm', name: model.label, why: '--llm openai-realtime' });
    return model;
  }
  if (llmChoice === 'openai') {
    const { OpenAILLM, requireOpenAIKey } = await import('../../plugins/openai/index.js');
    requireOpenAIKey('llm', env);
    const llm = new OpenAILLM({
      env,
      ...(flags.llmModel ? { model: flags.llmModel } : {}),
    });
    const why = flags.llm ? '--llm openai' : 'OPENAI_API_KEY is set';
    choices.push({ role: 'llm', name: llm.label, why });
    return llm;
  }
  if (!demo?.llm) {
    throw new UsageError(
      `this agent has no offline demo model: export OPENAI_API_KEY=... to use OpenAI, or add one to the agent module (${DEMO_EXAMPLE}, with defineDemo from 'voxagent' and FakeLLM from 'voxagent/testing')`,
    );
  }
  const llm = demo.llm();
  const why = flags.llm ? '--llm demo' : 'no OPENAI_API_KEY: offline demo model';
  choices.push({ role: 'llm', name: llm.label, why });
  return llm;
}

async function chooseTTS(
  flags: ProviderFlags,
  demo: AgentDemo | undefined,
  env: Env,
  choices: ModelChoice[],
): Promise<TTS | undefined> {
  const ttsChoice: TTSChoice =
    flags.tts ??
    (has(env, 'OPENAI_API_KEY') ? 'openai' : has(env, 'DEEPGRAM_API_KEY') ? 'deepgram' : 'espeak');
  if (!flags.tts && ttsChoice === 'espeak' && demo?.tts) {
    const tts = demo.tts();
    choices.push({ role: 'tts', name: tts.label, why: "no API key: the agent module's demo TTS" });
    return tts;
  }
  const why = flags.tts
    ? `--tts ${flags.tts}`
    : ttsChoice === 'espeak'
      ? 'no API key: offline speech'
      : 'its API key is set';
  let tts: TTS | undefined;
  if (ttsChoice === 'openai') {
    const { OpenAITTS, requireOpenAIKey } = await import('../../plugins/openai/index.js');
    requireOpenAIKey('tts', env);
    tts = new OpenAITTS({
      env,
      ...(flags.ttsModel ? { model: flags.ttsModel } : {}),
      ...(flags.voice ? { voice: flags.voice } : {}),
    });
  } else if (ttsChoice === 'deepgram') {
    const { DeepgramTTS, requireDeepgramKey } = await import('../../plugins/deepgram/index.js');
    requireDeepgramKey('tts', env);
    tts = new DeepgramTTS({ env, ...(flags.ttsModel ? { model: flags.ttsModel } : {}) });
  } else if (ttsChoice === 'espeak') {
    const { EspeakTTS } = await import('../audio/espeak-tts.js');
    tts = new EspeakTTS({ ...(flags.voice ? { voice: flags.voice } : {}) });
  }
  choices.push({ role: 'tts', name: tts?.label ?? 'none (text only)', why });
  return tts;
}

/** A realtime model transcribes the user itself; asking for an STT as well is a mistake. */
function realtimeHears(flags: ProviderFlags, choices: ModelChoice[]): undefined {
  if (flags.stt !== undefined && flags.stt !== 'none') {
    throw new UsageError(
      `--stt ${flags.stt} cannot be used with --llm openai-realtime: the realtime model hears the user itself`,
    );
  }
  choices.push({ role: 'stt', name: 'the realtime model', why: '--llm openai-realtime' });
  return undefined;
}

async function chooseSTT(
  flags: ProviderFlags,
  env: Env,
  choices: ModelChoice[],
): Promise<STTFactory | undefined> {
  const sttChoice: STTChoice =
    flags.stt ??
    (has(env, 'DEEPGRAM_API_KEY') ? 'deepgram' : has(env, 'OPENAI_API_KEY') ? 'openai' : 'none');
  let stt: STTFactory | undefined;
  if (sttChoice === 'deepgram') {
    const { DeepgramSTT, requireDeepgramKey } = await import('../../plugins/deepgram/index.js');
    requireDeepgramKey('stt', env);
    stt = () => new DeepgramSTT({ env, ...(flags.sttModel ? { model: flags.sttModel } : {}) });
  } else if (sttChoice === 'openai') {
    const { OpenAISTT, requireOpenAIKey } = await import('../../plugins/openai/index.js');
    requireOpenAIKey('stt', env);
    stt = (vad) =>
      vad
        ? new OpenAISTT({ vad, env, ...(flags.sttModel ? { model: flags.sttModel } : {}) })
        : undefined;
  }
  choices.push({
    role: 'stt',
    name: sttChoice === 'none' ? 'none: type with t' : sttChoice,
    why: flags.stt
      ? `--stt ${flags.stt}`
      : sttChoice === 'none'
        ? 'no speech-to-text key (no offline STT exists)'
        : 'its API key is set',
  });
  return stt;
}

export function parseChoice<T extends string>(
  name: string,
  value: string,
  allowed: readonly T[],
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
}

/**
 * Refuses, before anything heavy loads, a provider asked for by name whose key is missing:
 * one line naming the variable and the offline alternative (exit code 2).
 */
export async function checkProviderKeys(
  flags: ProviderFlags,
  env: Env = process.env,
): Promise<void> {
  const needsOpenAI =
    flags.llm === 'openai' ||
    flags.llm === 'openai-realtime' ||
    flags.tts === 'openai' ||
    flags.stt === 'openai';
  const needsDeepgram = flags.tts === 'deepgram' || flags.stt === 'deepgram';
  if (needsOpenAI) {
    const { requireOpenAIKey } = await import('../../plugins/openai/keys.js');
    const role =
      flags.llm === 'openai-realtime'
        ? 'realtime'
        : flags.llm === 'openai'
          ? 'llm'
          : flags.tts === 'openai'
            ? 'tts'
            : 'stt';
    requireOpenAIKey(role, env);
  }
  if (needsDeepgram) {
    const { requireDeepgramKey } = await import('../../plugins/deepgram/keys.js');
    requireDeepgramKey(flags.stt === 'deepgram' ? 'stt' : 'tts', env);
  }
}
