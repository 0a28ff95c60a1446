/**
 * What the console screen needs from the outside world. The screen reads the session only
 * through `SessionEventSource` (contract C9) and acts on it only through `ConsoleController`,
 * so a test can drive it with a fake of each.
 */
import type { SessionEvent } from '../runtime/events/types.js';

export interface Disposable {
  dispose(): void;
}

/** Anything that can deliver every session event, e.g. an `AgentSession` (`session.onAny`). */
export interface SessionEventSource {
  onAny(fn: (e: SessionEvent) => void): Disposable;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogLine {
  level: LogLevel;
  text: string;
  /** Optional timestamp (session clock ms) shown before the line. */
  t?: number;
}

/** Feeds the log panel; the console keeps only the newest lines. */
export interface LogSource {
  onLine(fn: (line: LogLine) => void): Disposable;
}

export type InputMode = 'audio' | 'text';

type MaybePromise<T> = T | Promise<T>;

/**
 * What became of an input: applied to the session, or waiting for one to exist (at start,
 * during a hot reload or a mode switch). Nothing else: inputs are never dropped.
 */
export type InputStatus = 'sent' | 'waiting';

/** A controller that reports nothing (void) is taken as 'sent'. */
// biome-ignore lint/suspicious/noConfusingVoidType: existing controllers return nothing at all
type Receipt = InputStatus | void;

/**
 * The commands the hotkeys issue. Every method may be async; a throw or rejection is shown
 * as a notice on screen rather than crashing the UI.
 */
export interface ConsoleController {
  interrupt(force: boolean): MaybePromise<Receipt>;
  /** Typed user input (a user turn). */
  sendText(text: string): MaybePromise<Receipt>;
  /** Text the agent says as is. */
  say(text: string): MaybePromise<Receipt>;
  /** Mutes or unmutes the microphone; returns the new muted state. */
  toggleMute(): MaybePromise<boolean>;
  /** Switches between audio and text mode; returns the new mode. */
  toggleAudio(): MaybePromise<InputMode>;
  /**
   * Asks to leave. The caller closes the session and then unmounts the screen; pressing
   * quit again calls this again, so the caller may escalate (e.g. force exit).
   */
  quit(): MaybePromise<void>;
}

export interface ModelInfo {
  /** 'llm', 'tts', 'stt', 'vad'… */
  role: string;
  name: string;
  /** Why this model was picked, e.g. "OPENAI_API_KEY set" or "offline fallback". */
  why?: string;
}

export interface HeaderInfo {
  /** Title of the command, e.g. "voxagent dev". */
  title?: string;
  agentName: string;
  models: ModelInfo[];
  mode: InputMode;
  muted?: boolean;
  /** One-line notes such as "no audio device: text mode". */
  notes?: string[];
  logFile?: string;
  /**
   * Why the session on screen began, when it replaced another: "session 2 · reloaded after
   * agent.ts changed (12:03:04)", "session 3 · switched to text mode".
   */
  sessionNotice?: string;
  /** The agent failed to load: shown in place of a running status. */
  loadError?: string;
  /** Inputs typed, said or interrupts asked for before the session exists, oldest first. */
  waitingInputs?: readonly string[];
}

/** Host timers, injected so tests can run frames and ticks by hand. */
export interface Scheduler {
  /** Runs `fn` once after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
  /** Runs `fn` every `ms`; the returned function stops it. */
  every(ms: number, fn: () => void): () => void;
}
