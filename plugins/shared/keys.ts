import { UsageError } from '../../src/runtime/core/errors.js';

/** A provider key from the environment, or a UsageError naming the variable and the offline way. */
export function requireKey(
  variable: string,
  alternative: string,
  env: Readonly<Record<string, string | undefined>>,
): string {
  const key = env[variable]?.trim();
  if (!key) throw new UsageError(`${variable} is not set: export it, or ${alternative}`);
  return key;
}
