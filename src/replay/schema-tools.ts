import { z } from 'zod';
import { boundedList, duration, refId } from './schema-common.js';

/**
 * `tools:` — tools scripted in the session file, offered by the file's agent next to its
 * own (as toolsets). Each runs its `steps` in order: wait, report progress (LiveKit's
 * `context.update`: the tool goes to the background), say a filler, wait for the preamble,
 * then return a result, a ToolError or a crash. scripted-tools.ts builds them.
 */

export type ToolStepSpec =
  | { kind: 'sleep'; ms: number }
  | { kind: 'update'; message: string }
  | { kind: 'say'; text: string; allowInterruptions: boolean | null; await: boolean }
  | { kind: 'waitForPlayout' }
  | { kind: 'return'; text: string }
  | { kind: 'error'; message: string }
  | { kind: 'fail'; message: string };

export interface ScriptedToolSpec {
  description: string;
  /** Argument name → type; the model's call must give each (checked like any tool's). */
  parameters: Record<string, 'string' | 'number' | 'boolean'>;
  /** Hidden from the model requests made while the agent enters (LiveKit's IGNORE_ON_ENTER). */
  ignoreOnEnter: boolean;
  /** The toolset it belongs to (default `session-file`). */
  toolset: string;
  steps: ToolStepSpec[];
}

export const DEFAULT_TOOLSET = 'session-file';

const STEP_KEYS = ['sleep', 'update', 'say', 'waitForPlayout', 'return', 'error', 'fail'] as const;
/** Steps after which the tool has ended: nothing may follow them. */
const ENDING = new Set(['return', 'error', 'fail']);

const rawStep = z.strictObject({
  sleep: duration.optional(),
  update: z.string().optional(),
  say: z.string().optional(),
  allowInterruptions: z.boolean().optional(),
  await: z.boolean().optional(),
  waitForPlayout: z.literal(true).optional(),
  return: z.string().optional(),
  error: z.string().optional(),
  fail: z.string().optional(),
});

const toolStep = rawStep.transform((raw, ctx): ToolStepSpec => {
  const kinds = STEP_KEYS.filter((k) => raw[k] !== undefined);
  const issue = (message: string, path: string[] = []) => {
    ctx.issues.push({ code: 'custom', message, path, input: raw });
    return z.NEVER;
  };
  if (kinds.length !== 1) {
    return issue(
      kinds.length === 0
        ? `a tool step needs one of: ${STEP_KEYS.join(', ')}`
        : `a tool step does one thing; found ${kinds.join(' and ')}`,
    );
  }
  const kind = kinds[0]!;
  for (const extra of ['allowInterruptions', 'await'] as const) {
    if (raw[extra] !== undefined && kind !== 'say') {
      return issue(`\`${extra}\` only goes with say`, [extra]);
    }
  }
  switch (kind) {
    case 'sleep':
      return { kind, ms: raw.sleep! };
    case 'update':
      return { kind, message: raw.update! };
    case 'say':
      return {
        kind,
        text: raw.say!,
        allowInterruptions: raw.allowInterruptions ?? null,
        await: raw.await ?? false,
      };
    case 'waitForPlayout':
      return { kind };
    case 'return':
      return { kind, text: raw.return! };
    case 'error':
      return { kind, message: raw.error! };
    case 'fail':
      return { kind, message: raw.fail! };
  }
});

const toolName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, {
  error: 'tool names are letters, digits, _ and - (at most 64), e.g. get_weather',
});

const scriptedTool = z
  .strictObject({
    description: z.string().optional(),
    parameters: z.record(z.string(), z.enum(['string', 'number', 'boolean'])).optional(),
    ignoreOnEnter: z.boolean().optional(),
    toolset: refId.optional(),
    steps: boundedList(toolStep).optional(),
  })
  .transform((raw, ctx): Omit<ScriptedToolSpec, 'description'> & { description?: string } => {
    const steps = raw.steps ?? [];
    steps.forEach((step, i) => {
      if (ENDING.has(step.kind) && i < steps.length - 1) {
        ctx.issues.push({
          code: 'custom',
          message: `the tool ends at its ${step.kind} step: nothing may follow it`,
          path: ['steps', i + 1],
          input: raw,
        });
      }
    });
    return {
      ...(raw.description !== undefined ? { description: raw.description } : {}),
      parameters: raw.parameters ?? {},
      ignoreOnEnter: raw.ignoreOnEnter ?? false,
      toolset: raw.toolset ?? DEFAULT_TOOLSET,
      steps,
    };
  });

/** The `tools:` section: tool name → its script. */
export const scriptedTools = z
  .record(toolName, scriptedTool)
  .transform(
    (tools): Record<string, ScriptedToolSpec> =>
      Object.fromEntries(
        Object.entries(tools).map(([name, t]) => [
          name,
          { ...t, description: t.description ?? `scripted tool ${name}` },
        ]),
      ),
  );
