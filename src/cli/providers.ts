import { UsageError } from '../runtime/core/errors.js';
import type { LLM } from '../runtime/models/llm.js';
import type { STT } from '../runtime/models/stt.js';
import type { TTS } from '../runtime/models/tts.js';
import { type AgentDemo, DEMO_EXAMPLE } from './agent-demo.js';

export type LLMChoice = 'openai' | 'demo';
export type TTSChoice = 'openai' | 'deepgram' | 'espeak' | 'none';
export type STTChoice = 'deepgram' | 'openai' | 'none';

export interface ProviderFlags {
  llm?: LLMChoice;
  llmModel?: string;
  tts?: TTSChoice;
  ttsModel?: string;
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

export interface ChosenModels {
  llm: LLM;
  tts: TTS | undefined;
  /** Builds the STT once the VAD is known (OpenAI transcription needs one to segment). */
  stt: ((vad: import('../runtime/models/vad.js').VAD | undefined) => STT | undefined) | undefined;
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
  const llmChoice: LLMChoice = flags.llm ?? (has(env, 'OPENAI_API_KEY') ? 'openai' : 'demo');
  let llm: LLM;
  if (llmChoice === 'openai') {
    const { OpenAILLM, requireOpenAIKey } = await import('../../plugins/openai/index.js');
    requireOpenAIKey('llm', env);
    llm = new OpenAILLM({
      env,
      ...(flags.llmModel ? { model: flags.llmModel } : {}),
    });
    choices.push({
      role: 'llm',
      name: llm.label,
      why: flags.llm ? '--llm openai' : 'OPENAI_API_KEY is set',
    });
  } else {
    if (!demo?.llm) {
      throw new UsageError(
        `this agent has no offline demo model: export OPENAI_API_KEY=... to use OpenAI, or add one to the agent module (${DEMO_EXAMPLE}, with defineDemo from 'voxagent' and FakeLLM from 'voxagent/testing')`,
      );
    }
    llm = demo.llm();
    choices.push({
      role: 'llm',
      name: llm.label,
      why: flags.llm ? '--llm demo' : 'no OPENAI_API_KEY: offline demo model',
    });
  }

  const ttsChoice: TTSChoice =
    flags.tts ??
    (has(env, 'OPENAI_API_KEY') ? 'openai' : has(env, 'DEEPGRAM_API_KEY') ? 'deepgram' : 'espeak');
  let tts: TTS | undefined;
  if (!flags.tts && ttsChoice === 'espeak' && demo?.tts) {
    tts = demo.tts();
    choices.push({ role: 'tts', name: tts.label, why: "no API key: the agent module's demo TTS" });
  }
  const ttsWhy = flags.tts
    ? `--tts ${flags.tts}`
    : ttsChoice === 'espeak'
      ? 'no API key: offline speech'
      : 'its API key is set';
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
    tts = new DeepgramTTS({
      env,
      ...(flags.ttsModel ? { model: flags.ttsModel } : {}),
    });
  } else if (ttsChoice === 'espeak' && !tts) {
    const { EspeakTTS } = await import('../audio/espeak-tts.js');
    tts = new EspeakTTS({ ...(flags.voice ? { voice: flags.voice } : {}) });
  }
  if (!choices.some((c) => c.role === 'tts')) {
    choices.push({ role: 'tts', name: tts?.label ?? 'none (text only)', why: ttsWhy });
  }

  const sttChoice: STTChoice =
    flags.stt ??
    (has(env, 'DEEPGRAM_API_KEY') ? 'deepgram' : has(env, 'OPENAI_API_KEY') ? 'openai' : 'none');
  let stt: ChosenModels['stt'];
  if (sttChoice === 'deepgram') {
    const { DeepgramSTT, requireDeepgramKey } = await import('../../plugins/deepgram/index.js');
    requireDeepgramKey('stt', env);
    stt = () =>
      new DeepgramSTT({
        env,
        ...(flags.sttModel ? { model: flags.sttModel } : {}),
      });
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
  return { llm, tts, stt, choices };
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
  const needsOpenAI = flags.llm === 'openai' || flags.tts === 'openai' || flags.stt === 'openai';
  const needsDeepgram = flags.tts === 'deepgram' || flags.stt === 'deepgram';
  if (needsOpenAI) {
    const { requireOpenAIKey } = await import('../../plugins/openai/keys.js');
    requireOpenAIKey(flags.llm === 'openai' ? 'llm' : flags.tts === 'openai' ? 'tts' : 'stt', env);
  }
  if (needsDeepgram) {
    const { requireDeepgramKey } = await import('../../plugins/deepgram/keys.js');
    requireDeepgramKey(flags.stt === 'deepgram' ? 'stt' : 'tts', env);
  }
}
