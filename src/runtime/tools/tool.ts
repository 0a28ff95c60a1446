import { z } from 'zod';
import type { LLMToolSpec } from '../models/llm.js';
import type { RunContext } from './run-context.js';

/** What `tool()` takes. `parameters` is a zod object schema; omit it for no arguments. */
export interface ToolOptions<Params extends z.ZodType, Result, UserData> {
  description: string;
  parameters?: Params;
  execute(args: z.infer<Params>, ctx: RunContext<UserData>): Promise<Result> | Result;
}

/** A tool the model can call. Its name is its key in the agent's `tools` record. */
export interface Tool<UserData = unknown> {
  readonly kind: 'voxagent.tool';
  readonly description: string;
  readonly parameters: z.ZodType;
  execute(args: unknown, ctx: RunContext<UserData>): Promise<unknown>;
}

const noParameters = z.object({});

export function tool<
  Params extends z.ZodType = typeof noParameters,
  Result = unknown,
  UserData = unknown,
>(options: ToolOptions<Params, Result, UserData>): Tool<UserData> {
  const parameters = options.parameters ?? noParameters;
  return {
    kind: 'voxagent.tool',
    description: options.description,
    parameters,
    execute: async (args, ctx) => options.execute(args as z.infer<Params>, ctx),
  };
}

export function isTool(value: unknown): value is Tool {
  return typeof value === 'object' && value !== null && (value as Tool).kind === 'voxagent.tool';
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
