/**
 * Deepgram models for voxagent: live speech-to-text (WebSocket, interim and final results)
 * and Aura text-to-speech (streaming WebSocket). Configured by options or
 * `DEEPGRAM_API_KEY` / `DEEPGRAM_BASE_URL`.
 */
export {
  DEEPGRAM_DEFAULT_BASE_URL,
  DEEPGRAM_OFFLINE_ALTERNATIVES,
  type DeepgramConnectionOptions,
  type DeepgramRole,
  requireDeepgramKey,
} from './config.js';
export { DeepgramSTT, type DeepgramSTTOptions } from './stt.js';
export { DeepgramTTS, type DeepgramTTSOptions } from './tts.js';
