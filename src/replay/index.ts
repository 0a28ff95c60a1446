/** Session files: schema, parser, runner, expectations, outputs and recording. */
export { type AgentFactory, type AgentFactoryContext, AgentLoadError } from './agent-loader.js';
export { canonicalEventLine, eventsHash, eventsToJsonl } from './canonical.js';
export { expandSessionPaths, type ReplayFlags, type ReplayIO, replayCommand } from './command.js';
export { evaluateExpectations } from './expectations.js';
export { formatResult, formatSummary, formatTimeline } from './format.js';
export {
  formatIssue,
  type LoadedSession,
  loadSessionFile,
  parseSessionText,
  SessionFileError,
  type SessionFileIssue,
  validateSessionObject,
} from './load.js';
export { type RecorderOptions, SessionRecorder } from './recorder.js';
export {
  type ReplayOptions,
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
  replayResultJson,
  type StepRecord,
} from './types.js';
