/** Session files: schema, parser, runner, expectations, outputs and recording. */
export { type AgentFactory, type AgentFactoryContext, AgentLoadError } from './agent-loader.js';
export { canonicalEventLine, eventsHash, eventsToJsonl } from './canonical.js';
export {
  expandSessionPaths,
  type ReplayFlags,
  type ReplayIO,
  type ReporterName,
  replayCommand,
} from './command.js';
export { evaluateExpectations } from './expectations.js';
export type { FileOutcome } from './file-job.js';
export { formatResult, formatSummary, formatTimeline } from './format.js';
export {
  JudgeConfigError,
  type JudgeOption,
  type JudgeSetting,
  type Verdict,
} from './judge.js';
export { describeLatency, LATENCY_PARTS, type TurnLatency, turnLatencies } from './latency.js';
export {
  formatIssue,
  type LoadedSession,
  loadSessionFile,
  parseSessionText,
  SessionFileError,
  type SessionFileIssue,
  validateSessionObject,
} from './load.js';
export { type RecordedSession, type RecorderOptions, SessionRecorder } from './recorder.js';
export {
  type ReplayOptions,
  type ReplayPhase,
  runSessionFile,
  runSessionScript,
  runSessionText,
} from './runner.js';
export type { SessionScript } from './schema.js';
export { type ChromeTrace, type TraceEvent, toChromeTrace } from './trace.js';
export {
  type DeadlockReport,
  type EndReason,
  type ExpectationResult,
  type ReplayResult,
  type ReplayResultJson,
  replayResultJson,
  type StepRecord,
} from './types.js';
