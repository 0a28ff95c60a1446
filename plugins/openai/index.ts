/**
 * OpenAI models for voxagent: a streaming chat LLM, speech synthesis, VAD-segmented
 * transcription and the Realtime speech-to-speech model. Configured by options or
 * `OPENAI_API_KEY` / `OPENAI_BASE_URL`.
 */
export {
  OPENAI_DEFAULT_BASE_URL,
  OPENAI_OFFLINE_ALTERNATIVES,
  type OpenAIConnectionOptions,
  type OpenAIRole,
  requireOpenAIKey,
} from './config.js';
export { OpenAILLM, type OpenAILLMOptions } from './llm.js';
export {
  OpenAIRealtimeModel,
  type OpenAIRealtimeOptions,
  type OpenAIRealtimeTranscription,
  type OpenAIRealtimeTurnDetection,
} from './realtime.js';
export { OpenAISTT, type OpenAISTTOptions } from './stt.js';
export { OpenAITTS, type OpenAITTSOptions } from './tts.js';
