import type { Agent } from '../agents/agent.js';
import { type Actor, runAsActor } from '../core/actor.js';
import {
  errorMessage,
  InterruptedError,
  SessionClosedError,
  TaskCancelledError,
  ToolError,
} from '../core/errors.js';
import type { EventBus } from '../events/emitter.js';
import type { HistoryStore } from '../history/history-store.js';
import type { LLMToolCall } from '../models/llm.js';
import type { AgentSession } from '../session/session.js';
import type { SpeechHandle } from '../speech/speech-handle.js';
import { RunContext, type RunContextHooks } from './run-context.js';
import { describeZodError, type Tool } from './tool.js';

export interface ToolOutcome {
  /** voxagent's id of this call. */
  readonly toolCallId: string;
  /** The model's id of this call (what its history uses). */
  readonly callId: string;
  readonly name: string;
  readonly arguments: string;
  readonly output: string;
  readonly isError: boolean;
  /** False when the tool returned nothing or handed off: no follow-up reply is needed. */
  readonly replyRequired: boolean;
  /** The full error of an exception that is not a ToolError (never sent to the model). */
  readonly error: string | null;
  /** The agent the tool handed the conversation to (by returning it). */
  readonly handoff?: Agent;
  readonly startedAt: number;
}

/** What running one call needs from the session. */
export interface ToolRunnerDeps {
  readonly bus: EventBus;
  readonly history: HistoryStore;
  readonly session: AgentSession<unknown>;
  readonly now: () => number;
  readonly isAgent: (value: unknown) => value is Agent;
}

export interface ToolCallSite {
  readonly toolCallId: string;
  readonly speechId: string;
  readonly agent: Agent;
  readonly agentId: string;
  /** The actor the tool runs as (its parent is the speech). */
  readonly actor: Actor;
  readonly handle: SpeechHandle;
  readonly hooks: RunContextHooks;
}

/**
 * Runs one tool call to an outcome; it never throws (contract C7). Its call enters the
 * history when it starts; the caller records the output (a handoff's output is only known
 * once the turn ends). Every failure becomes a message the model can act on, and the
 * event stream gets the full error.
 */
export async function runToolCall(
  deps: ToolRunnerDeps,
  call: LLMToolCall,
  site: ToolCallSite,
): Promise<ToolOutcome> {
  const startedAt = deps.now();
  deps.bus.emit('tool.started', {
    toolCallId: site.toolCallId,
    providerCallId: call.id,
    name: call.name,
    arguments: call.arguments,
    speechId: site.speechId,
    agentId: site.agentId,
  });
  deps.history.add({
    type: 'function_call',
    callId: call.id,
    name: call.name,
    arguments: call.arguments,
    ...(call.realtimeId ? { realtimeId: call.realtimeId } : {}),
  });
  const result = await execute(deps, call, site);
  return {
    toolCallId: site.toolCallId,
    callId: call.id,
    name: call.name,
    arguments: call.arguments,
    startedAt,
    ...result,
  };
}

type Result = Pick<ToolOutcome, 'output' | 'isError' | 'replyRequired' | 'error' | 'handoff'>;

async function execute(
  deps: ToolRunnerDeps,
  call: LLMToolCall,
  site: ToolCallSite,
): Promise<Result> {
  const tools = site.agent.allTools();
  const tool: Tool | undefined = tools[call.name];
  const fail = (output: string, error: string | null = null): Result => ({
    output,
    isError: true,
    replyRequired: true,
    error,
  });
  if (!tool) {
    const known = Object.keys(tools).join(', ') || 'none';
    return fail(`Unknown tool '${call.name}'. Available tools: ${known}.`);
  }
  let raw: unknown;
  try {
    raw = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch {
    return fail(`Invalid arguments for tool '${call.name}': not valid JSON.`);
  }
  const parsed = tool.parameters.safeParse(raw);
  if (!parsed.success) {
    return fail(`Invalid arguments for tool '${call.name}': ${describeZodError(parsed.error)}.`);
  }
  const ctx = new RunContext({
    session: deps.session,
    speechHandle: site.handle,
    functionCall: { id: call.id, name: call.name, arguments: call.arguments },
    toolCallId: site.toolCallId,
    hooks: site.hooks,
  });
  try {
    const value = await runAsActor(site.actor, () => tool.execute(parsed.data, ctx));
    if (deps.isAgent(value)) {
      return {
        output: `Transferred to ${value.name}.`,
        isError: false,
        replyRequired: false,
        error: null,
        handoff: value,
      };
    }
    if (value === undefined || value === null) {
      return { output: '', isError: false, replyRequired: false, error: null };
    }
    const output = typeof value === 'string' ? value : JSON.stringify(value);
    return { output, isError: false, replyRequired: true, error: null };
  } catch (err) {
    if (err instanceof ToolError) return fail(err.message);
    // The turn was interrupted, its task cancelled or the session closed: an expected end
    // of the tool, told to the model, but not an error of the session.
    if (isCancellation(err)) return fail(`The tool did not finish: ${err.message}.`);
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    deps.bus.emit('error', {
      code: 'tool_failed',
      message: `tool ${call.name} threw: ${errorMessage(err)}`,
      source: `tool.${call.name}`,
      recoverable: true,
      speechId: site.speechId,
    });
    return fail(`An internal error occurred while running tool '${call.name}'.`, detail);
  }
}

function isCancellation(err: unknown): err is Error {
  return (
    err instanceof InterruptedError ||
    err instanceof TaskCancelledError ||
    err instanceof SessionClosedError
  );
}
