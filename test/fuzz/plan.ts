/**
 * A fuzz plan: everything one random session does, as plain JSON. The agents, tasks and
 * tools are built from it deterministically (build.ts); the timeline and model scripts
 * become a session file (script.ts), so a failing plan is a file `voxagent replay` runs.
 */

/** One step of a tool body or a hook. Bodies run their ops in order. */
export type Op =
  | { op: 'sleep'; ms: number }
  /** A background filler (`await: false`) or an awaited say(). */
  | { op: 'say'; text: string; interruptible: boolean; await: boolean }
  /** generateReply() from a hook or tool, awaited or not. */
  | { op: 'reply'; await: boolean }
  /** ctx.waitForPlayout() (tools only). */
  | { op: 'waitPlayout' }
  /** `await ctx.speechHandle` from inside its own tool (tools only; contract C4). */
  | { op: 'waitOwn' }
  /** Awaits a new instance of task `task` (index into `plan.tasks`). */
  | { op: 'task'; task: number }
  /** Inside a task: complete(result) or complete(new Error(...)). */
  | { op: 'complete'; ok: boolean }
  /** Hand off to agent `agent`: return it from the tool, or `session.updateAgent()`. */
  | { op: 'handoff'; agent: number; via: 'return' | 'update' }
  /** ctx.update(message): the tool reports progress and goes on in the background. */
  | { op: 'update'; message: string }
  /** Throw a ToolError or a plain Error (tools only; ends the body). */
  | { op: 'throw'; kind: 'tool' | 'plain' };

export interface ToolPlan {
  name: string;
  /** With `strict`, the tool takes `{ n: number }` (calls may send a bad argument). */
  strict: boolean;
  ops: Op[];
  /** What it returns: null means nothing (no follow-up reply). */
  result: string | null;
}

export interface AgentPlan {
  name: string;
  /** null: the session default. */
  allowInterruptions: boolean | null;
  /** Names of the tools (from `plan.tools`) this agent or task offers. */
  tools: string[];
  onEnter: Op[];
  onExit: Op[];
  onTurn: Op[];
}

/** The part of the plan the agent module needs (it travels in `options.userData`). */
export interface AgentsPlan {
  agents: AgentPlan[];
  tasks: AgentPlan[];
  tools: ToolPlan[];
}

export interface LLMReply {
  when: { input?: string; toolResult?: string; agent?: string };
  text?: string;
  toolCalls?: { name: string; bad: boolean }[];
  ttftMs: number;
  durationMs: number;
  /** A scripted model failure (the handle may end `failed`). */
  error?: { message: string; retryable: boolean };
}

export type Step =
  | { at: number; kind: 'speech'; text: string; durationMs: number; sttDelayMs: number }
  | { at: number; kind: 'noise'; durationMs: number }
  | { at: number; kind: 'text'; text: string; source: 'text' | 'api' }
  | { at: number; kind: 'reply'; userInput: string | null }
  | { at: number; kind: 'say'; text: string; interruptible: boolean }
  | { at: number; kind: 'interrupt'; force: boolean }
  | { at: number; kind: 'close' };

/**
 * The model that answers: a chat model with a TTS, or a scripted realtime model that speaks
 * for itself (`realtime`) or writes for the TTS (`realtime-text`); the TTS stays for say().
 */
export type ModelKind = 'llm' | 'realtime' | 'realtime-text';

export interface SessionPlan {
  model: ModelKind;
  reporting: boolean;
  pausable: boolean;
  allowInterruptions: boolean;
  maxToolSteps: number;
  minEndpointingMs: number;
  minInterruptMs: number;
  falseInterruptionMs: number;
  msPerChar: number;
  ttfbMs: number;
}

export interface Plan {
  session: SessionPlan;
  agents: AgentsPlan;
  llm: LLMReply[];
  fallbackText: string;
  steps: Step[];
}

/** The message every scripted model failure carries (a `failed` handle must quote it). */
export const SCRIPTED_LLM_FAILURE = 'scripted model failure';
export const SCRIPTED_TOOL_ERROR = 'scripted tool error';
export const SCRIPTED_PLAIN_ERROR = 'scripted plain failure';
export const SCRIPTED_TASK_ERROR = 'scripted task failure';

/** The token a tool's result carries, so the model script can answer it. */
export const resultToken = (tool: string): string => `r_${tool}_`;
/** The token of user input number `n` (never a substring of another token). */
export const inputToken = (n: number): string => `u${n}_`;
/** The name of task `i`'s own completion tool. */
export const doneToolOf = (task: number): string => `done_T${task}`;
