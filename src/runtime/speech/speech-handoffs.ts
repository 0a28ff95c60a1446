import type { Agent } from '../agents/agent.js';
import type { HistorySlot, HistoryStore } from '../history/history-store.js';
import type { ToolOutcome, ToolRunnerDeps } from '../tools/tool-runner.js';
import { emitToolFinished } from './speech-tools.js';

/**
 * The handoffs a speech's tools asked for (by returning an agent or calling `updateAgent()`).
 * None happens before the turn ends: when it completes they do, in order; when it is
 * interrupted (or fails) none does and each tool's output says so, as an error.
 */
export class SpeechHandoffs {
  readonly #history: HistoryStore;
  readonly #pending: { outcome: ToolOutcome; slot: HistorySlot }[] = [];
  readonly #requested = new Map<string, Agent>();

  constructor(history: HistoryStore) {
    this.#history = history;
  }

  get any(): boolean {
    return this.#pending.length > 0;
  }

  /** Tool `toolCallId` called `updateAgent(agent)`. */
  request(toolCallId: string, agent: Agent): void {
    this.#requested.set(toolCallId, agent);
  }

  requestedBy(toolCallId: string): Agent | undefined {
    return this.#requested.get(toolCallId);
  }

  /** A tool asking for a handoff returned: its output waits for the end of the turn. */
  defer(outcome: ToolOutcome): void {
    this.#pending.push({ outcome, slot: this.#history.reserve() });
  }

  /** The turn ended; `handoff` is called for each agent to switch to if it completed. */
  settle(
    completed: boolean,
    host: { readonly deps: ToolRunnerDeps; readonly speechId: string },
    handoff: (agent: Agent) => void,
  ): void {
    for (const { outcome, slot } of this.#pending.splice(0)) {
      const target = outcome.handoff?.name ?? 'the new agent';
      const output = completed
        ? outcome.output
        : `The handoff to ${target} did not happen: the turn was interrupted.`;
      slot.add({
        type: 'function_call_output',
        callId: outcome.callId,
        name: outcome.name,
        output,
        isError: !completed,
        interrupted: !completed,
      });
      emitToolFinished(host, outcome, output, !completed, !completed);
      if (completed && outcome.handoff) handoff(outcome.handoff);
    }
  }
}
