// Session replays for tests: replay a file or an inline script and assert on the result.
export {
  eventsHash,
  eventsToJsonl,
  type JudgeOption,
  type ReplayOptions,
  type ReplayResult,
  runSessionFile,
  runSessionScript,
  runSessionText,
  SessionFileError,
  SessionRecorder,
  type SessionScript,
  type TurnLatency,
  toChromeTrace,
} from '../replay/index.js';
export { VirtualClock } from '../runtime/clock/virtual-clock.js';
export {
  FakeAudioOutput,
  type FakeAudioOutputOptions,
  type ReceivedSegment,
} from './fake-audio-output.js';
export {
  FakeLLM,
  type FakeLLMOptions,
  type FakeLLMResponse,
  type FakeProviderFailure,
} from './fake-llm.js';
export {
  type FakeRealtimeCancel,
  type FakeRealtimeConnect,
  FakeRealtimeModel,
  type FakeRealtimeOptions,
  type FakeRealtimeResponse,
  type FakeRealtimeTruncation,
} from './fake-realtime.js';
export {
  type FakeHeldItem,
  FakeRealtimeSession,
  type FakeRealtimeSync,
} from './fake-realtime-session.js';
export { FakeTTS, type FakeTTSFailure, type FakeTTSOptions } from './fake-tts.js';
export { FakeUserSpeech, type FakeUtterance } from './fake-user-speech.js';
