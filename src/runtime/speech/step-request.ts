import type { Agent } from '../agents/agent.js';
import type { HistoryStore } from '../history/history-store.js';
import type { LLMRequest, LLMToolSpec, ToolChoice } from '../models/llm.js';
import { toolSpec } from '../tools/tool.js';

export interface StepRequestInput {
  readonly agent: Agent;
  readonly history: HistoryStore;
  /** User words not in the history yet (a preemptive reply predicts their turn). */
  readonly pendingUserText?: string;
  /** Extra instructions for this reply (first step only). */
  readonly instructions?: string;
  readonly toolChoice?: ToolChoice;
  readonly step: number;
  readonly maxToolSteps: number;
  /** The reply was asked for while the agent entered: tools marked `ignoreOnEnter` are hidden. */
  readonly onEnter: boolean;
}

/** The tools offered to the model for one step (in a stable order, for caching and checks). */
export function offeredTools(agent: Agent, onEnter: boolean): LLMToolSpec[] {
  return Object.entries(agent.allTools())
    .filter(([, t]) => !(onEnter && t.ignoreOnEnter))
    .map(([name, t]) => toolSpec(name, t));
}

/** What one step asks the agent's model: its instructions, the history and the tools. */
export function stepRequest(input: StepRequestInput): LLMRequest {
  const { agent, step } = input;
  const lastStep = step >= input.maxToolSteps;
  const extra = step === 0 ? input.instructions : undefined;
  const instructions = extra ? `${agent.instructions}\n\n${extra}` : agent.instructions;
  const messages = input.history.llmMessages(instructions);
  if (input.pendingUserText !== undefined) {
    messages.push({ role: 'user', content: input.pendingUserText });
  }
  return {
    messages,
    tools: lastStep ? [] : offeredTools(agent, input.onEnter),
    toolChoice: lastStep ? 'none' : step === 0 ? (input.toolChoice ?? 'auto') : 'auto',
    agent: agent.name,
  };
}

/**
 * Two requests ask the same thing of the model (what a preemptive reply is checked by).
 * Messages built from one history share their objects, so most compare by identity: the
 * check costs little even with a long history.
 */
export function sameRequest(a: LLMRequest, b: LLMRequest): boolean {
  if (a.messages.length !== b.messages.length) return false;
  for (let i = 0; i < a.messages.length; i++) {
    const x = a.messages[i]!;
    const y = b.messages[i]!;
    if (x !== y && JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  const rest = (r: LLMRequest) => JSON.stringify([r.tools, r.toolChoice, r.agent]);
  return rest(a) === rest(b);
}
