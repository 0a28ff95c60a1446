import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import type { LLMToolSpec } from '../models/llm.js';
import type { RunContext } from './run-context.js';

/** What `tool()` takes. `parameters` is a zod object schema; omit it for no arguments. */
export interface ToolOptions<Params extends z.ZodType, Result, UserData> {
  description: string;
  parameters?: Params;
  /**
   * Hide this tool from the model requests made while the agent enters (its `onEnter`, and
   * the tool replies that follow), like LiveKit's `IGNORE_ON_ENTER` (e.g. an `end_call`).
   */
  ignoreOnEnter?: boolean;
  execute(args: z.infer<Params>, ctx: RunContext<UserData>): Promise<Result> | Result;
}

/** A tool the model can call. Its name is its key in the agent's `tools` record. */
export interface Tool<UserData = unknown> {
  readonly kind: 'voxagent.tool';
  readonly description: string;
  readonly parameters: z.ZodType;
  readonly ignoreOnEnter: boolean;
  execute(args: unknown, ctx: RunContext<UserData>): Promise<unknown>;
}

const noParameters = z.object({});

export function tool<
  Params extends z.ZodType = typeof noParameters,
  Result = unknown,
  UserData = unknown,
>(options: ToolOptions<Params, Result, UserData>): Tool<UserData> {
  const parameters = options.parameters ?? noParameters;
  const problem = schemaProblem(parameters);
  if (problem) throw new UsageError(`tool "${options.description}": ${problem}`);
  return {
    kind: 'voxagent.tool',
    description: options.description,
    parameters,
    ignoreOnEnter: options.ignoreOnEnter === true,
    execute: async (args, ctx) => options.execute(args as z.infer<Params>, ctx),
  };
}

export function isTool(value: unknown): value is Tool {
  return typeof value === 'object' && value !== null && (value as Tool).kind === 'voxagent.tool';
}

const ZOD_FIX =
  "install zod 4 (npm install zod@^4) and import { z } from 'zod' (with zod 3.25, " +
  "import { z } from 'zod/v4')";

/**
 * Why voxagent cannot read `parameters`, or undefined. A zod 3 schema would be accepted
 * and then fail every turn deep inside the JSON-schema conversion, so it is named here.
 */
export function schemaProblem(parameters: unknown): string | undefined {
  if (typeof parameters === 'object' && parameters !== null && '_zod' in parameters) {
    return undefined;
  }
  const zod3 =
    typeof parameters === 'object' &&
    parameters !== null &&
    '_def' in parameters &&
    typeof (parameters as { safeParse?: unknown }).safeParse === 'function';
  return zod3
    ? `parameters is a zod 3 schema, and voxagent reads zod 4 schemas: ${ZOD_FIX}`
    : `parameters is not a zod schema: pass z.object({ … }) from zod 4, or leave it out`;
}

/** Checks an agent's `tools` record, naming the entry that cannot work (a UsageError). */
export function checkTools(owner: string, tools: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(tools)) {
    if (!isTool(value)) {
      throw new UsageError(
        `${owner}: tools.${name} is not a tool: build it with tool({ description, parameters, execute })`,
      );
    }
    const problem = schemaProblem(value.parameters);
    if (problem) throw new UsageError(`${owner}: tools.${name}: ${problem}`);
  }
}

/** The tool as offered to a model: JSON schema generated from its zod parameters. */
export function toolSpec(name: string, t: Tool): LLMToolSpec {
  const schema = z.toJSONSchema(t.parameters, { unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete schema.$schema;
  return { name, description: t.description, parameters: schema };
}

/** "field 'age': expected number, received string" — names the field for the model (C7). */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? `field '${issue.path.join('.')}'` : 'arguments';
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}
