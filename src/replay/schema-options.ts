import { z } from 'zod';
import type { AgentSessionOptions } from '../runtime/session/session-options.js';
import { LIMITS } from './limits.js';
import { boundedInt, duration } from './schema-common.js';

/**
 * Session options added to the format for LiveKit's turn-taking (issue 11): preemptive
 * generation, the user-away timer, AEC warm-up and the synthesis-ahead bound. Spread into
 * `options:` (schema.ts); `extraSessionOptions` maps them to `AgentSessionOptions`.
 */

const positiveDuration = duration.refine((ms) => ms > 0, {
  error: 'expected a duration above 0, like 2s',
});

const preemptiveGeneration = z.union(
  [
    z.boolean(),
    z.strictObject({
      enabled: z.boolean().optional(),
      preemptiveTts: z.boolean().optional(),
      maxSpeechMs: duration.optional(),
      maxRetries: boundedInt(0, LIMITS.count).optional(),
    }),
  ],
  { error: 'expected true, false or { enabled, preemptiveTts, maxSpeechMs, maxRetries }' },
);

/** The fields, as zod shapes to spread into the `options:` object of the file. */
export const extraOptionFields = {
  /** LiveKit's preemptive generation (on by default in the runtime). */
  preemptiveGeneration: preemptiveGeneration.optional(),
  /** `null` (YAML `null` or `~`) turns the away timer off. */
  userAwayTimeoutMs: z
    .union([duration, z.null()], { error: 'expected a duration like 15s, or null for off' })
    .optional(),
  aecWarmupMs: duration.optional(),
  /** How much audio synthesis may run ahead of playout. */
  maxSynthesisAheadMs: positiveDuration.optional(),
};

type ExtraOptionsSpec = {
  [K in keyof typeof extraOptionFields]?: z.output<(typeof extraOptionFields)[K]>;
};

/** The `AgentSessionOptions` the added fields stand for (only those the file gives). */
export function extraSessionOptions(spec: ExtraOptionsSpec): Partial<AgentSessionOptions> {
  const out: Partial<AgentSessionOptions> = {};
  if (spec.preemptiveGeneration !== undefined) {
    out.preemptiveGeneration =
      typeof spec.preemptiveGeneration === 'boolean'
        ? spec.preemptiveGeneration
        : { ...spec.preemptiveGeneration };
  }
  if (spec.userAwayTimeoutMs !== undefined) out.userAwayTimeoutMs = spec.userAwayTimeoutMs;
  if (spec.aecWarmupMs !== undefined) out.aecWarmupMs = spec.aecWarmupMs;
  if (spec.maxSynthesisAheadMs !== undefined) out.maxSynthesisAheadMs = spec.maxSynthesisAheadMs;
  return out;
}
