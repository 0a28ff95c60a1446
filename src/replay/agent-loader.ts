import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importBundled, runningCompiled } from '../loader/bundle-module.js';
import { Agent } from '../runtime/agents/agent.js';
import type { JobContext } from '../worker/job-context.js';

/**
 * Loading the agent of a session file. The module exports (as `default`, or under the name
 * given by `agent: { module, export }`) one of:
 *   - a factory `(ctx) => Agent | Promise<Agent>` (recommended: every run gets a fresh agent),
 *   - an `Agent` subclass whose constructor takes no arguments,
 *   - an `Agent` instance (shared by every run of the file in one process).
 */

export interface AgentFactoryContext {
  /** `options.userData` of the session file. */
  userData: Record<string, unknown> | undefined;
  /**
   * The LiveKit job this agent serves under `voxagent start` (room, job id, dispatch
   * metadata, `shutdown()`, shutdown callbacks); undefined under `dev`, `connect` and replays.
   */
  job?: JobContext;
}

export type AgentFactory = (ctx: AgentFactoryContext) => Agent | Promise<Agent>;

/** A problem with the agent module: reported as one line, no stack. */
export class AgentLoadError extends Error {
  override readonly name = 'AgentLoadError';
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

async function importModule(path: string): Promise<Record<string, unknown>> {
  // Compiled (the voxagent CLI): bundle the module so its `voxagent` imports are this runtime.
  if (runningCompiled) return (await importBundled(path)).exports;
  const url = pathToFileURL(path).href;
  try {
    // Under vitest or tsx, TypeScript imports natively and shares this process's copy of
    // the runtime; that matters because the session checks `instanceof Agent`.
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (!TS_EXTENSIONS.has(extname(path)) || code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  }
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
}

function isClass(fn: unknown): fn is new () => unknown {
  return typeof fn === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

function looksLikeAgent(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { instructions?: unknown }).instructions === 'string' &&
    typeof (value as { tools?: unknown }).tools === 'object'
  );
}

function checkAgent(value: unknown, what: string): Agent {
  if (value instanceof Agent) return value;
  if (looksLikeAgent(value)) {
    throw new AgentLoadError(
      `${what} is an Agent from another copy of voxagent (the module was loaded twice); import Agent from the same voxagent the replay runs`,
    );
  }
  throw new AgentLoadError(`${what} is not an Agent`);
}

export async function loadAgentFactory(path: string, exportName: string): Promise<AgentFactory> {
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(path);
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new AgentLoadError(`cannot load agent module ${path}: ${message}`);
  }
  const what = `export "${exportName}" of ${path}`;
  if (!(exportName in mod)) {
    const names = Object.keys(mod).join(', ') || 'nothing';
    throw new AgentLoadError(`${path} has no export "${exportName}" (it exports ${names})`);
  }
  const value = mod[exportName];
  return agentFactoryOf(value, what);
}

/** A factory for any of the accepted export shapes. */
export function agentFactoryOf(value: unknown, what: string): AgentFactory {
  if (isClass(value)) return () => checkAgent(new value(), `new ${what}()`);
  if (typeof value === 'function') {
    return async (ctx) => checkAgent(await (value as AgentFactory)(ctx), `what ${what} returned`);
  }
  const agent = checkAgent(value, what);
  return () => agent;
}
