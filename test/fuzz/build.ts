import {
  Agent,
  type AgentSession,
  AgentTask,
  DeadlockError,
  InterruptedError,
  type RunContext,
  SessionClosedError,
  TaskCancelledError,
  type Tool,
  ToolError,
  tool,
} from 'voxagent';
import { z } from 'zod';
import {
  type AgentPlan,
  type AgentsPlan,
  doneToolOf,
  type Op,
  resultToken,
  SCRIPTED_PLAIN_ERROR,
  SCRIPTED_TASK_ERROR,
  SCRIPTED_TOOL_ERROR,
} from './plan.js';

/** One `await task` made by plan code, and how it ended. */
export interface AwaitRecord {
  readonly what: string;
  state: 'pending' | 'returned' | 'rejected';
  error: string | null;
}

/** What plan code saw that the contract forbids, and every task await it made. */
export class Recorder {
  readonly violations: string[] = [];
  readonly awaits: AwaitRecord[] = [];

  violation(message: string): void {
    this.violations.push(message);
  }

  track(what: string): AwaitRecord {
    const record: AwaitRecord = { what, state: 'pending', error: null };
    this.awaits.push(record);
    return record;
  }
}

/** Task nesting beyond this is not started (plans keep far below it; a safety net). */
const MAX_TASK_DEPTH = 8;

const describe = (err: unknown): string =>
  err instanceof Error ? `${err.name}: ${err.message}` : String(err);

interface Env {
  readonly session: AgentSession;
  readonly where: string;
  readonly depth: number;
  readonly ctx?: RunContext;
  readonly task?: () => AgentTask<string>;
}

/** Builds the agents, tasks and tools of a plan; every instance is new and deterministic. */
export class PlanBuilder {
  readonly #plan: AgentsPlan;
  readonly #rec: Recorder;

  constructor(plan: AgentsPlan, recorder: Recorder) {
    this.#plan = plan;
    this.#rec = recorder;
  }

  agent(index: number): Agent {
    const spec = this.#plan.agents[index]!;
    return new Agent({
      name: spec.name,
      instructions: `fuzz agent ${spec.name}`,
      tools: this.#tools(spec, 0, undefined),
      ...(spec.allowInterruptions !== null ? { allowInterruptions: spec.allowInterruptions } : {}),
      ...this.#hooks(spec, 0, undefined),
    });
  }

  task(index: number, depth: number): AgentTask<string> {
    const spec = this.#plan.tasks[index]!;
    let self: AgentTask<string> | undefined;
    const get = () => self!;
    const tools = this.#tools(spec, depth, get);
    tools[doneToolOf(index)] = tool({
      description: 'finish the task',
      execute: async () => {
        get().complete(`v_${spec.name}_`);
        return `${resultToken(doneToolOf(index))} finished`;
      },
    });
    self = new AgentTask<string>({
      name: spec.name,
      instructions: `fuzz task ${spec.name}`,
      tools,
      ...(spec.allowInterruptions !== null ? { allowInterruptions: spec.allowInterruptions } : {}),
      ...this.#hooks(spec, depth, get),
    });
    return self;
  }

  #hooks(spec: AgentPlan, depth: number, task: (() => AgentTask<string>) | undefined) {
    const hook = (ops: Op[], name: string) => async (a: Agent) => {
      const env: Env = { session: a.session, where: `${spec.name}.${name}`, depth };
      await this.#run(ops, task ? { ...env, task } : env);
    };
    return {
      onEnter: hook(spec.onEnter, 'onEnter'),
      onExit: hook(spec.onExit, 'onExit'),
      onUserTurnCompleted: hook(spec.onTurn, 'onUserTurnCompleted'),
    };
  }

  #tools(spec: AgentPlan, depth: number, task: (() => AgentTask<string>) | undefined) {
    const out: Record<string, Tool> = {};
    for (const name of spec.tools) {
      const plan = this.#plan.tools.find((t) => t.name === name);
      if (!plan) continue;
      const execute = async (_args: unknown, ctx: RunContext) => {
        const env: Env = { session: ctx.session, where: `tool ${name}`, depth, ctx };
        const outcome = await this.#run(plan.ops, task ? { ...env, task } : env);
        if (outcome.handoff) return outcome.handoff;
        if (plan.result === null) return undefined;
        return [resultToken(name), plan.result, ...outcome.values].join(' ');
      };
      out[name] = plan.strict
        ? tool({ description: name, parameters: z.object({ n: z.number() }), execute })
        : tool({ description: name, execute });
    }
    return out;
  }

  async #run(ops: Op[], env: Env): Promise<{ handoff?: Agent; values: string[] }> {
    const values: string[] = [];
    for (const op of ops) {
      const result = await this.#op(op, env);
      if (result instanceof Agent) return { handoff: result, values };
      if (typeof result === 'string') values.push(result);
    }
    return { values };
  }

  async #op(op: Op, env: Env): Promise<Agent | string | undefined> {
    const { session, where, ctx } = env;
    switch (op.op) {
      case 'sleep':
        await session.clock.sleep(op.ms);
        return;
      case 'say':
      case 'reply':
        await this.#speak(op, env);
        return;
      case 'waitPlayout':
        if (ctx) await this.#waitPlayout(ctx, where);
        return;
      case 'waitOwn':
        if (!ctx) return;
        try {
          await ctx.speechHandle;
        } catch (err) {
          this.#rec.violation(`${where}: awaiting its own speech handle threw ${describe(err)}`);
        }
        return;
      case 'task':
        return this.#awaitTask(op.task, env);
      case 'complete':
        env.task?.().complete(op.ok ? `v_${env.task().name}_` : new Error(SCRIPTED_TASK_ERROR));
        return;
      case 'handoff': {
        if (!ctx) return;
        const agent = this.agent(op.agent);
        if (op.via === 'return') return agent;
        const open = !session.closed;
        try {
          session.updateAgent(agent);
        } catch (err) {
          if (open || !(err instanceof SessionClosedError)) {
            this.#rec.violation(`${where}: updateAgent() threw ${describe(err)}`);
          }
        }
        return;
      }
      case 'update':
        if (ctx) ctx.update(op.message);
        return;
      case 'throw':
        if (!ctx) return;
        throw op.kind === 'tool'
          ? new ToolError(SCRIPTED_TOOL_ERROR)
          : new Error(SCRIPTED_PLAIN_ERROR);
    }
  }

  async #speak(op: Extract<Op, { op: 'say' | 'reply' }>, env: Env): Promise<void> {
    const open = !env.session.closed;
    let handle: PromiseLike<void>;
    try {
      handle =
        op.op === 'say'
          ? env.session.say(op.text, { allowInterruptions: op.interruptible })
          : env.session.generateReply();
    } catch (err) {
      if (open || !(err instanceof SessionClosedError)) {
        this.#rec.violation(`${env.where}: ${op.op}() threw ${describe(err)} (C2)`);
      }
      return;
    }
    if (!op.await) return;
    try {
      await handle;
    } catch (err) {
      this.#rec.violation(`${env.where}: awaiting its ${op.op}() handle threw ${describe(err)}`);
    }
  }

  async #waitPlayout(ctx: RunContext, where: string): Promise<void> {
    try {
      await ctx.waitForPlayout();
    } catch (err) {
      if (!(err instanceof InterruptedError)) {
        this.#rec.violation(`${where}: ctx.waitForPlayout() threw ${describe(err)} (C4/C5)`);
      } else if (!ctx.speechHandle.interrupted) {
        this.#rec.violation(`${where}: InterruptedError but its speech was not interrupted`);
      } else if (!ctx.signal.aborted) {
        this.#rec.violation(`${where}: interrupted but ctx.signal not aborted (C5)`);
      }
      // A real tool lets the interruption end it.
      throw err;
    }
  }

  async #awaitTask(index: number, env: Env): Promise<string | undefined> {
    if (env.depth >= MAX_TASK_DEPTH) return;
    const task = this.task(index, env.depth + 1);
    const record = this.#rec.track(`${env.where} awaits ${task.name}`);
    try {
      const value = await task;
      record.state = 'returned';
      return value;
    } catch (err) {
      record.state = 'rejected';
      record.error = describe(err);
      const expected =
        err instanceof TaskCancelledError ||
        err instanceof SessionClosedError ||
        (err instanceof Error && err.message === SCRIPTED_TASK_ERROR);
      if (!expected || err instanceof DeadlockError) {
        this.#rec.violation(`${env.where}: await ${task.name} rejected with ${describe(err)}`);
      }
      return;
    }
  }
}
