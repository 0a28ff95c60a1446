import { UsageError } from '../runtime/core/errors.js';
import type { LLM } from '../runtime/models/llm.js';
import type { TTS } from '../runtime/models/tts.js';

/**
 * Offline models an agent module ships for `voxagent dev` / `connect` when no API key is set
 * (`export const demo = defineDemo({ llm: () => new FakeLLM({ … }) })`). Each is a factory:
 * every session (a hot reload, the `a` key) gets fresh models.
 */
export interface AgentDemo {
  /** The chat model used without OPENAI_API_KEY (or with `--llm demo`). */
  readonly llm?: () => LLM;
  /** A speech model used instead of espeak-ng when no speech key is set. */
  readonly tts?: () => TTS;
}

/**
 * Types the `demo` export of an agent module, so a wrong shape (a model instead of a
 * function that makes one, a misspelt key) is a type error in the editor.
 */
export function defineDemo(demo: AgentDemo): AgentDemo {
  return demo;
}

/** The shape to copy, as every message about the demo export shows it. */
export const DEMO_EXAMPLE = 'export const demo = defineDemo({ llm: () => new FakeLLM({ … }) })';

/**
 * Checks the `demo` export of a module at run time (plain JavaScript, or code that skipped
 * defineDemo): a wrong shape is one line naming the file, the field and the fix.
 */
export function demoOf(value: unknown, file: string): AgentDemo | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) {
    throw new UsageError(`the demo export of ${file} must be an object: ${DEMO_EXAMPLE}`);
  }
  const fields = value as Record<string, unknown>;
  for (const [key, made] of [
    ['llm', 'an LLM'],
    ['tts', 'a TTS'],
  ] as const) {
    const field = fields[key];
    if (field === undefined || typeof field === 'function') continue;
    throw new UsageError(
      `demo.${key} in ${file} must be a function that returns ${made} (got ${describe(field)}): ${DEMO_EXAMPLE}`,
    );
  }
  return value as AgentDemo;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  return name && name !== 'Object' ? `a ${name} object` : 'an object';
}
