export { App, type AppProps } from './app.js';
export { type ConsoleHandle, type RenderConsoleOptions, renderConsole } from './render-console.js';
export { createFrameBatcher, realScheduler } from './scheduler.js';
export type {
  ConsoleController,
  Disposable,
  HeaderInfo,
  InputMode,
  InputStatus,
  LogLevel,
  LogLine,
  LogSource,
  ModelInfo,
  Scheduler,
  SessionEventSource,
} from './types.js';
