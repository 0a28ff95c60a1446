import type { Agent } from '../agents/agent.js';
import { type Actor, runAsActor } from '../core/actor.js';
import {
  errorMessage,
  InterruptedError,
  SessionClosedError,
  TaskCancelledError,
  ToolError,
} from '../core/errors.js';
import type { LLMToolCall } from '../models/llm.js';
import type { SessionCore } from '../session/session-core.js';
import { RunContext } from './run-context.js';
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
  readonly interrupted: boolean;
}

export interface ToolCallSite {
  /** voxagent's own id for this call (`fc_N`), unique in the session. */
  readonly toolCallId: string;
  readonly speechId: string;
  readonly step: number;
  readonly speechActor: Actor;
  readonly agent: Agent;
  readonly agentId: string;
  readonly signal: AbortSignal;
  readonly isInterrupted: () => boolean;
  readonly waitForPlayout: () => Promise<void>;
  readonly handle: RunContext['speechHandle'];
}

/**
 * Runs one tool call to an outcome; it never throws (contract C7). The caller puts the call
 * and its output in the history once the speech before it is recorded, so the history
 * reads in the order the model produced it. Every failure becomes a
 * message the model can act on, and the event stream gets the full error.
 */
export async function runToolCall(
  core: SessionCore,
  call: LLMToolCall,
  site: ToolCallSite,
): Promise<ToolOutcome> {
  const started = core.clock.now();
  const actor: Actor = {
    label: `tool ${call.name} (${site.toolCallId})`,
    kind: 'tool',
    parent: site.speechActor,
    sessionKey: core.key,
    speechId: site.speechId,
    step: site.step,
    toolCallId: site.toolCallId,
    agentId: site.agentId,
  };
  core.bus.emit('tool.started', {
    toolCallId: site.toolCallId,
    providerCallId: call.id,
    name: call.name,
    arguments: call.arguments,
    speechId: site.speechId,
    agentId: site.agentId,
  });
  const release = core.activity.toolStarted(actor);
  let result: { output: string; isError: boolean; replyRequired: boolean; error: string | null };
  try {
    result = await execute(core, call, site, actor);
  } finally {
    release();
  }
  const interrupted = site.isInterrupted();
  core.bus.emit('tool.finished', {
    toolCallId: site.toolCallId,
    providerCallId: call.id,
    name: call.name,
    speechId: site.speechId,
    durationMs: core.clock.now() - started,
    output: result.output,
    isError: result.isError,
    interrupted,
    error: result.error,
  });
  return {
    toolCallId: site.toolCallId,
    callId: call.id,
    name: call.name,
    arguments: call.arguments,
    output: result.output,
    isError: result.isError,
    replyRequired: result.replyRequired,
    interrupted,
  };
}

async function execute(core: SessionCore, call: LLMToolCall, site: ToolCallSite, actor: Actor) {
  const tool: Tool | undefined = site.agent.tools[call.name];
  const fail = (output: string, error: string | null = null) => ({
    output,
    isError: true,
    replyRequired: true,
    error,
  });
  if (!tool) {
    const known = Object.keys(site.agent.tools).join(', ') || 'none';
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
    session: core.session,
    speechHandle: site.handle,
    functionCall: { id: call.id, name: call.name, arguments: call.arguments },
    signal: site.signal,
    waitForPlayout: site.waitForPlayout,
  });
  try {
    const value = await runAsActor(actor, () => tool.execute(parsed.data, ctx));
    if (core.isAgent(value)) {
      core.stack.handoff(value, actor);
      return {
        output: `Transferred to ${value.name}.`,
        isError: false,
        replyRequired: false,
        error: null,
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
    core.bus.emit('error', {
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
