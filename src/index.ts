export { type AgentDemo, defineDemo } from './cli/agent-demo.js';
export type { AgentFactory, AgentFactoryContext } from './replay/agent-loader.js';
export { Agent, type AgentOptions, type UserTurn } from './runtime/agents/agent.js';
export { AgentTask } from './runtime/agents/agent-task.js';
export {
  type AudioFrame,
  createFrame,
  frameDurationMs,
  frameRms,
  resampleFrame,
  silenceFrame,
  toneFrame,
} from './runtime/audio/frame.js';
export type { Clock } from './runtime/clock/clock.js';
export { RealClock } from './runtime/clock/real-clock.js';
export { VirtualClock } from './runtime/clock/virtual-clock.js';
export {
  DeadlockError,
  InterruptedError,
  SessionClosedError,
  TaskCancelledError,
  ToolError,
  UsageError,
} from './runtime/core/errors.js';
export type { Disposable } from './runtime/events/emitter.js';
export type * from './runtime/events/types.js';
export { SESSION_EVENT_NAMES } from './runtime/events/types.js';
export type { ChatItem } from './runtime/history/chat-history.js';
export type { AudioInput } from './runtime/io/audio-input.js';
export type { AudioOutput, PlaybackEvent } from './runtime/io/audio-output.js';
export { ClockedOutput, type ClockedOutputOptions } from './runtime/io/clocked-output.js';
export { type ModelCallContext, ProviderError } from './runtime/models/context.js';
export type {
  LLM,
  LLMChunk,
  LLMMessage,
  LLMRequest,
  LLMToolCall,
  LLMToolSpec,
  ToolChoice,
} from './runtime/models/llm.js';
export {
  isRealtimeModel,
  type RealtimeCapabilities,
  type RealtimeChunk,
  type RealtimeEvent,
  type RealtimeItem,
  type RealtimeModel,
  type RealtimeRequest,
  type RealtimeSession,
} from './runtime/models/realtime.js';
export type { STT, STTEvent } from './runtime/models/stt.js';
export type { SynthesizedAudio, TTS } from './runtime/models/tts.js';
export type { VAD, VADEvent } from './runtime/models/vad.js';
export {
  EventAssert,
  RunAssertionError,
  type RunEvent,
  RunExpect,
  RunResult,
} from './runtime/session/run-result.js';
export { AgentSession } from './runtime/session/session.js';
export {
  type AgentSessionOptions,
  DEFAULT_PLAYOUT_SETTLE_MS,
} from './runtime/session/session-options.js';
export { SpeechHandle } from './runtime/speech/speech-handle.js';
export { type FunctionCall, RunContext } from './runtime/tools/run-context.js';
export { type Tool, type ToolOptions, tool } from './runtime/tools/tool.js';
export { Toolset } from './runtime/tools/toolset.js';
export type {
  JobContext,
  JobInfo,
  JobParticipant,
  ShutdownCallback,
} from './worker/job-context.js';
