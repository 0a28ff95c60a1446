import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuiltBundle, buildBundle, importBundled } from '../loader/bundle-module.js';
import { type AgentFactory, agentFactoryOf } from '../replay/agent-loader.js';
import { UsageError } from '../runtime/core/errors.js';
import { type AgentDemo, demoOf } from './agent-demo.js';

/** What an agent module gives `voxagent dev` / `connect` / `start`. */
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
  const file = existingFile(path);
  let mod: Awaited<ReturnType<typeof importBundled>>;
  try {
    mod = await importBundled(file);
  } catch (err) {
    throw loadFailure(err, path);
  }
  return agentFromExports(mod.exports, path, file, mod.files);
}

/**
 * Builds the agent module into one file that several processes import (the job processes of
 * `voxagent start`); the caller removes `outfile`. Problems are one-line UsageErrors.
 */
export async function buildAgentBundle(path: string): Promise<BuiltBundle> {
  const file = existingFile(path);
  try {
    return await buildBundle(file);
  } catch (err) {
    throw loadFailure(err, path);
  }
}

/** Imports a bundle made by `buildAgentBundle` and checks its exports. */
export async function loadBuiltAgent(bundle: BuiltBundle, path: string): Promise<LoadedAgent> {
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(bundle.outfile).href)) as Record<string, unknown>;
  } catch (err) {
    throw loadFailure(err, path);
  }
  return agentFromExports(exports, path, resolve(path), bundle.files);
}

function existingFile(path: string): string {
  const file = resolve(path);
  if (!existsSync(file)) throw new UsageError(`agent file not found: ${path}`);
  return file;
}

function loadFailure(err: unknown, path: string): UsageError {
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new UsageError(
    message?.startsWith('/') ? message : `cannot load agent ${path}: ${message}`,
  );
}

function agentFromExports(
  exports: Record<string, unknown>,
  path: string,
  file: string,
  files: readonly string[],
): LoadedAgent {
  if (!('default' in exports)) {
    throw new UsageError(
      `${path} has no default export: export default an Agent, an Agent class, or () => new MyAgent()`,
    );
  }
  let factory: AgentFactory;
  try {
    factory = agentFactoryOf(exports.default, `the default export of ${path}`);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const demo = demoOf(exports.demo, path);
  return { file, factory, demo, files };
}
