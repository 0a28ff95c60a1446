import { z } from 'zod';
import type { Agent } from '../runtime/agents/agent.js';
import { InterruptedError, ToolError } from '../runtime/core/errors.js';
import type { RunContext } from '../runtime/tools/run-context.js';
import { type Tool, tool } from '../runtime/tools/tool.js';
import { Toolset } from '../runtime/tools/toolset.js';
import type { ScriptedToolSpec, ToolStepSpec } from './schema-tools.js';

/**
 * The `tools:` of a session file as toolsets the replay adds to the file's agent before the
 * session starts (and again after a reload). A scripted tool behaves like a plain LiveKit
 * tool: an interruption of its turn does not stop it (only closing the session does).
 */

const ZOD_TYPES = { string: z.string(), number: z.number(), boolean: z.boolean() } as const;

/** `{location}` in a result is replaced by the call's `location` argument. */
function fillIn(text: string, args: Record<string, unknown>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in args ? String(args[name]) : whole,
  );
}

/**
 * Aborts when the session closes, or when the tool is stopped for another reason than an
 * interruption of its turn (its agent left while it ran in the background).
 */
function stopSignal(ctx: RunContext): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const fromTool = () => {
    if (!(ctx.signal.reason instanceof InterruptedError)) controller.abort(ctx.signal.reason);
  };
  ctx.signal.addEventListener('abort', fromTool, { once: true });
  const closing = ctx.session.on('session.closing', () => controller.abort('session closed'));
  if (ctx.session.closed) controller.abort('session closed');
  return {
    signal: controller.signal,
    dispose: () => {
      ctx.signal.removeEventListener('abort', fromTool);
      closing.dispose();
    },
  };
}

async function runStep(
  step: ToolStepSpec,
  ctx: RunContext,
  args: Record<string, unknown>,
  signal: AbortSignal,
): Promise<{ result: string } | undefined> {
  switch (step.kind) {
    case 'sleep':
      await ctx.session.clock.sleep(step.ms, signal);
      return;
    case 'update':
      ctx.update(fillIn(step.message, args));
      return;
    case 'say': {
      const handle = ctx.session.say(fillIn(step.text, args), {
        ...(step.allowInterruptions !== null
          ? { allowInterruptions: step.allowInterruptions }
          : {}),
      });
      if (step.await) await handle;
      return;
    }
    case 'waitForPlayout':
      await ctx.waitForPlayout();
      return;
    case 'return':
      return { result: fillIn(step.text, args) };
    case 'error':
      throw new ToolError(fillIn(step.message, args));
    case 'fail':
      throw new Error(fillIn(step.message, args));
  }
}

function scriptedTool(spec: ScriptedToolSpec): Tool {
  const shape = Object.fromEntries(
    Object.entries(spec.parameters).map(([name, type]) => [name, ZOD_TYPES[type]]),
  );
  return tool({
    description: spec.description,
    parameters: z.object(shape),
    ignoreOnEnter: spec.ignoreOnEnter,
    execute: async (args: Record<string, unknown>, ctx) => {
      const stop = stopSignal(ctx);
      try {
        for (const step of spec.steps) {
          const outcome = await runStep(step, ctx, args, stop.signal);
          if (outcome) return outcome.result;
        }
        return undefined;
      } finally {
        stop.dispose();
      }
    },
  });
}

/** The file's tools grouped into toolsets, in the order their toolsets first appear. */
export function scriptedToolsets(specs: Record<string, ScriptedToolSpec>): Toolset[] {
  const groups = new Map<string, Record<string, Tool>>();
  for (const [name, spec] of Object.entries(specs)) {
    const group = groups.get(spec.toolset) ?? {};
    group[name] = scriptedTool(spec);
    groups.set(spec.toolset, group);
  }
  return [...groups].map(([id, tools]) => new Toolset({ id, tools }));
}

/** Agents that already offer the file's tools (an exported instance is shared by runs). */
const offered = new WeakSet<Agent>();

/** Offers the file's tools on `agent`; a name the agent already has is a clear error. */
export function offerScriptedTools(agent: Agent, specs: Record<string, ScriptedToolSpec>): void {
  if (offered.has(agent) || Object.keys(specs).length === 0) return;
  const own = agent.allTools();
  for (const name of Object.keys(specs)) {
    if (name in own) {
      throw new Error(
        `tools.${name}: agent ${agent.name} already has a tool named "${name}" (rename one of them)`,
      );
    }
  }
  for (const toolset of scriptedToolsets(specs)) {
    if (agent.toolsets.some((t) => t.id === toolset.id)) {
      throw new Error(
        `tools: agent ${agent.name} already has a toolset "${toolset.id}" (give the tools another \`toolset\`)`,
      );
    }
    agent.addToolset(toolset);
  }
  offered.add(agent);
}
