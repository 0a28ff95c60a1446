import type { Agent } from '../agents/agent.js';
import type { Actor } from '../core/actor.js';
import type { IdGenerator } from '../core/ids.js';
import type { HistorySlot } from '../history/history-store.js';
import type { LLMToolCall } from '../models/llm.js';
import type { ActivityTracker } from '../session/activity-tracker.js';
import { runToolCall, type ToolOutcome, type ToolRunnerDeps } from '../tools/tool-runner.js';
import type { SpeechHandle } from './speech-handle.js';

/** What the tools of one speech need from it. */
export interface ToolHost {
  readonly deps: ToolRunnerDeps & { readonly ids: IdGenerator; readonly tracker: ActivityTracker };
  readonly speechId: string;
  readonly speechActor: Actor;
  readonly handle: SpeechHandle;
  readonly agent: Agent;
  readonly agentId: string;
  /** Aborts when the turn is interrupted or over. */
  readonly speechSignal: AbortSignal;
  /** Aborts when the agent leaves the stack or the session closes. */
  readonly agentSignal: AbortSignal;
  isInterrupted(): boolean;
  waitForStep(step: number): Promise<void>;
  /** The agent tool `toolCallId` asked to hand over to with `updateAgent()`, if any. */
  handoffRequestedBy(toolCallId: string): Agent | undefined;
  /** A tool asked for a handoff: it happens (or not) when the turn ends. */
  deferHandoff(outcome: ToolOutcome): void;
  /** A tool running in the background has news for the model: queue a reply. */
  requestDeferredReply(toolCallId: string): void;
}

/** What a tool gave its step: its result, or the first progress report of a background tool. */
export interface StepToolResult {
  readonly toolCallId: string;
  readonly replyRequired: boolean;
}

/**
 * Runs the tool calls of one speech. A tool's call enters the history when it starts and its
 * output when it returns. A tool that reports progress (`ctx.update`) answers its step with
 * that message and goes on in the background, owned by its agent rather than the turn; its
 * later news and final result reach the model as deferred replies.
 */
export class SpeechTools {
  readonly #host: ToolHost;

  constructor(host: ToolHost) {
    this.#host = host;
  }

  /** Starts `call` (made by step `step`); resolves with what it gives that step. */
  start(call: LLMToolCall, step: number, toolCallId: string): Promise<StepToolResult> {
    const host = this.#host;
    const signal = new ToolSignal(host.speechSignal);
    const actor: Actor = {
      label: `tool ${call.name} (${toolCallId})`,
      kind: 'tool',
      parent: host.speechActor,
      runtime: host.speechActor.runtime,
      speechId: host.speechId,
      step,
      toolCallId,
      agentId: host.agentId,
    };
    let answered: ((r: StepToolResult) => void) | undefined;
    const forStep = new Promise<StepToolResult>((resolve) => {
      answered = resolve;
    });
    let updates = 0;
    const update = (message: string) => {
      if (signal.aborted) return;
      updates++;
      this.#recordUpdate(call, message, updates);
      if (updates === 1) {
        // From here on the tool belongs to the agent, not to this turn.
        signal.moveTo(host.agentSignal);
        host.deps.bus.emit('tool.updated', this.#updateEvent(call, toolCallId, message, true));
        answered?.({ toolCallId, replyRequired: true });
        answered = undefined;
        return;
      }
      host.deps.bus.emit('tool.updated', this.#updateEvent(call, toolCallId, message, false));
      host.requestDeferredReply(toolCallId);
    };
    const release = host.deps.tracker.toolStarted(actor, () => updates > 0);
    const running = runToolCall(host.deps, call, {
      toolCallId,
      speechId: host.speechId,
      agent: host.agent,
      agentId: host.agentId,
      actor,
      handle: host.handle,
      hooks: {
        signal: signal.signal,
        // A tool in the background outlives its turn: an interruption of the turn's speech
        // ends the wait without ending the tool.
        waitForPlayout: () =>
          updates > 0 ? host.waitForStep(step).catch(() => undefined) : host.waitForStep(step),
        update,
      },
    });
    // The call is in the history now. If the turn is interrupted, the output belongs to that
    // turn and takes this place, right after the call; otherwise it goes where it arrives.
    const inTurn = host.deps.history.reserve();
    void running.then((outcome) => {
      release();
      signal.dispose();
      const background = updates > 0;
      const interrupted = !background && host.isInterrupted();
      const handoff = outcome.handoff ?? host.handoffRequestedBy(toolCallId);
      if (handoff && !background) host.deferHandoff({ ...outcome, handoff });
      else this.#finish(outcome, { interrupted, background, inTurn });
      inTurn.close();
      answered?.({ toolCallId, replyRequired: outcome.replyRequired });
    });
    return forStep;
  }

  /** Records a returned tool: its output, `tool.finished`, and for a background tool a reply. */
  #finish(
    outcome: ToolOutcome,
    at: { interrupted: boolean; background: boolean; inTurn: HistorySlot },
  ): void {
    const host = this.#host;
    const { interrupted, background } = at;
    if (background) {
      // The model already has an interim answer under the call's id: the result is news.
      host.deps.history.add({
        type: 'function_call',
        callId: `${outcome.callId}_result`,
        name: outcome.name,
        arguments: outcome.arguments,
      });
    }
    const place = interrupted ? at.inTurn : host.deps.history;
    place.add({
      type: 'function_call_output',
      callId: background ? `${outcome.callId}_result` : outcome.callId,
      name: outcome.name,
      output: outcome.output,
      isError: outcome.isError,
      interrupted,
    });
    emitToolFinished(host, outcome, outcome.output, outcome.isError, interrupted);
    if (background && outcome.replyRequired) host.requestDeferredReply(outcome.toolCallId);
  }

  #recordUpdate(call: LLMToolCall, message: string, n: number): void {
    const callId = n === 1 ? call.id : `${call.id}_update_${n - 1}`;
    const history = this.#host.deps.history;
    if (n > 1)
      history.add({ type: 'function_call', callId, name: call.name, arguments: call.arguments });
    history.add({
      type: 'function_call_output',
      callId,
      name: call.name,
      output: `The tool ${call.name} is still running and reported: ${message}. Do not make up its result.`,
      isError: false,
      interrupted: false,
    });
  }

  #updateEvent(call: LLMToolCall, toolCallId: string, message: string, first: boolean) {
    return {
      toolCallId,
      providerCallId: call.id,
      name: call.name,
      speechId: this.#host.speechId,
      message,
      background: first,
    };
  }
}

/** Emits `tool.finished` for an outcome with the output the model is finally told. */
export function emitToolFinished(
  host: { readonly deps: ToolRunnerDeps; readonly speechId: string },
  outcome: ToolOutcome,
  output: string,
  isError: boolean,
  interrupted: boolean,
): void {
  host.deps.bus.emit('tool.finished', {
    toolCallId: outcome.toolCallId,
    providerCallId: outcome.callId,
    name: outcome.name,
    speechId: host.speechId,
    durationMs: host.deps.now() - outcome.startedAt,
    output,
    isError,
    interrupted,
    error: outcome.error,
  });
}

/**
 * A tool's abort signal: it follows its turn until the tool goes to the background, then
 * its agent instead (the turn may end or be interrupted while the tool goes on).
 */
class ToolSignal {
  readonly #controller = new AbortController();
  #parent: AbortSignal;
  readonly #onAbort = () => this.#controller.abort(this.#parent.reason);

  constructor(parent: AbortSignal) {
    this.#parent = parent;
    this.#follow(parent);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#controller.signal.aborted;
  }

  /** The tool is over: stop listening to its owner (a long session has many tools). */
  dispose(): void {
    this.#parent.removeEventListener('abort', this.#onAbort);
  }

  moveTo(parent: AbortSignal): void {
    this.#parent.removeEventListener('abort', this.#onAbort);
    this.#parent = parent;
    this.#follow(parent);
  }

  #follow(parent: AbortSignal): void {
    if (parent.aborted) this.#controller.abort(parent.reason);
    else parent.addEventListener('abort', this.#onAbort, { once: true });
  }
}
