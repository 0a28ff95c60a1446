import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { importBundled } from '../loader/bundle-module.js';
import { type AgentFactory, agentFactoryOf } from '../replay/agent-loader.js';
import { UsageError } from '../runtime/core/errors.js';
import { type AgentDemo, demoOf } from './agent-demo.js';

/** What an agent module gives `voxagent dev` / `connect`. */
export interface LoadedAgent {
  readonly file: string;
  readonly factory: AgentFactory;
  /** Offline models the module ships (`export const demo = defineDemo({ llm: () => … })`). */
  readonly demo: AgentDemo | undefined;
  /** Every local source file the agent was built from (watched for hot reload). */
  readonly files: readonly string[];
}

/**
 * Loads an agent module fresh (a new bundle each time, for hot reload). A syntax error, a
 * missing default export or a load failure is a UsageError: one line, shown in place.
 */
export async function loadAgentModule(path: string): Promise<LoadedAgent> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UsageError(`agent file not found: ${path}`);
  let mod: Awaited<ReturnType<typeof importBundled>>;
  try {
    mod = await importBundled(file);
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UsageError(
      message?.startsWith('/') ? message : `cannot load agent ${path}: ${message}`,
    );
  }
  if (!('default' in mod.exports)) {
    throw new UsageError(
      `${path} has no default export: export default an Agent, an Agent class, or () => new MyAgent()`,
    );
  }
  let factory: AgentFactory;
  try {
    factory = agentFactoryOf(mod.exports.default, `the default export of ${path}`);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const demo = demoOf(mod.exports.demo, path);
  return { file, factory, demo, files: mod.files };
}
