import { z } from 'zod';
import { LIMITS } from './limits.js';
import type { Matcher, Where } from './matchers.js';
import {
  boundedInt,
  boundedList,
  duration,
  type PointRef,
  textOrRegex,
  toolCallSpecs,
} from './schema-common.js';
import { DEFAULT_EXPECTATIONS, type Expectations, expectations } from './schema-expect.js';
import { ttsAudioEntry } from './schema-models.js';
import { extraOptionFields } from './schema-options.js';
import { chatModelsBesideRealtime, realtimeSection } from './schema-realtime.js';
import { type ScriptedToolSpec, scriptedTools } from './schema-tools.js';
import { type UserStep, userStep } from './schema-user.js';
import { speechTargetIssues } from './speech-targets.js';

/** The whole session file. docs/sessions.md describes every field. */

/** A provider failure as a plugin reports it; `retryable` ones are retried by the session. */
const providerError = z.strictObject({
  message: z.string(),
  status: boundedInt(100, 599).optional(),
  retryable: z.boolean().optional(),
  /** What the provider asked to wait before a retry (a Retry-After header). */
  retryAfter: duration.optional(),
  /** The failing provider, as the `error` event's `source` names it (e.g. `openai.tts`). */
  provider: z.string().optional(),
});

export type ProviderErrorSpec = z.output<typeof providerError>;

/** A synthesis that fails: used once, by the first one whose first text matches `when`. */
const ttsFailure = z.strictObject({
  when: textOrRegex.optional(),
  /** From the first text to the failure (a timeout, a refused request). */
  after: duration.optional(),
  /** Audio delivered before it fails (a stream cut halfway). */
  afterAudio: duration.optional(),
  error: providerError,
});

export type TTSFailureSpec = z.output<typeof ttsFailure>;

/** A synthesis that stops making audio after `afterAudio` (it was cut short live). */
const ttsStall = z.strictObject({ when: textOrRegex.optional(), afterAudio: duration });

const llmResponse = z.strictObject({
  when: z
    .strictObject({
      input: textOrRegex.optional(),
      toolResult: textOrRegex.optional(),
      agent: z.string().optional(),
      /** The request's instructions (its system message) contain or match this. */
      instructions: textOrRegex.optional(),
    })
    .optional(),
  text: z.string().optional(),
  toolCalls: toolCallSpecs.optional(),
  ttft: duration.optional(),
  duration: duration.optional(),
  /** Usable any number of times (otherwise a reply is used once). */
  repeat: z.boolean().optional(),
  /** The reply used when no other matches (any number of times). */
  fallback: z.boolean().optional(),
  /** The model call fails (after `ttft`) instead of answering. */
  error: providerError.optional(),
});

export type LLMResponseSpec = z.output<typeof llmResponse>;

const models = z.strictObject({
  llm: boundedList(llmResponse).optional(),
  realtime: realtimeSection.optional(),
  tts: z
    .strictObject({
      msPerChar: z
        .number()
        .positive()
        .max(LIMITS.msPerChar, { error: `expected at most ${LIMITS.msPerChar} ms per character` })
        .optional(),
      ttfb: duration.optional(),
      audio: z.record(z.string(), ttsAudioEntry).optional(),
      sampleRate: boundedInt(8000, 192_000).optional(),
      failures: boundedList(ttsFailure).optional(),
      stalls: boundedList(ttsStall).optional(),
    })
    .optional(),
  output: z
    .strictObject({
      kind: z.enum(['reporting', 'never-reporting']).optional(),
      pausable: z.boolean().optional(),
      /** Playback is reported this long after the fact (a slow or remote sink). */
      reportDelayMs: duration.optional(),
    })
    .optional(),
});

export type ModelsSpec = z.output<typeof models>;

/** The AgentSession options a file may set; names as in the API, durations in any unit. */
const options = z.strictObject({
  turnDetection: z
    .strictObject({
      minEndpointingDelayMs: duration.optional(),
      maxEndpointingDelayMs: duration.optional(),
    })
    .optional(),
  interruption: z
    .strictObject({
      minDurationMs: duration.optional(),
      minWords: boundedInt(0, LIMITS.count).optional(),
      falseInterruptionTimeoutMs: duration.optional(),
      resumeFalseInterruption: z.boolean().optional(),
    })
    .optional(),
  allowInterruptions: z.boolean().optional(),
  maxToolSteps: boundedInt(0, LIMITS.count).optional(),
  playoutSettleMs: duration.optional(),
  closeTimeoutMs: duration.optional(),
  retry: z
    .strictObject({
      attempts: boundedInt(0, LIMITS.count).optional(),
      baseDelayMs: duration.optional(),
    })
    .optional(),
  userData: z.record(z.string(), z.unknown()).optional(),
  ...extraOptionFields,
});

export type SessionOptionsSpec = z.output<typeof options>;

const agentRef = z
  .union([z.string(), z.strictObject({ module: z.string(), export: z.string().optional() })], {
    error: 'expected the path of the agent module, or { module, export }',
  })
  .transform((v) =>
    typeof v === 'string'
      ? { module: v, export: 'default' }
      : { ...v, export: v.export ?? 'default' },
  );

const run = z.strictObject({
  limit: duration.optional(),
  settle: duration.optional(),
  close: z.boolean().optional(),
});

export interface RunSpec {
  /** Virtual time after which the run stops (and pending work is a deadlock). */
  limitMs: number;
  /** Quiet time, once the script is done and the session idle, before the run ends. */
  settleMs: number;
  /** Close the session at the end of the run (its close events are part of the stream). */
  close: boolean;
}

export const DEFAULT_RUN: RunSpec = { limitMs: 120_000, settleMs: 1000, close: true };

export interface SessionScript {
  name: string | null;
  description: string | null;
  agent: { module: string; export: string };
  options: SessionOptionsSpec;
  models: ModelsSpec;
  user: UserStep[];
  /** Tools scripted in the file, offered by its agent (schema-tools.ts). */
  tools: Record<string, ScriptedToolSpec>;
  run: RunSpec;
  expect: Expectations;
}

export const sessionFile = z
  .strictObject({
    name: z.string().optional(),
    description: z.string().optional(),
    agent: agentRef,
    options: options.optional(),
    models: models.check(chatModelsBesideRealtime).optional(),
    user: boundedList(userStep).optional(),
    tools: scriptedTools.optional(),
    run: run.optional(),
    expect: expectations.optional(),
  })
  .transform(
    (raw): SessionScript => ({
      name: raw.name ?? null,
      description: raw.description ?? null,
      agent: raw.agent,
      options: raw.options ?? {},
      models: raw.models ?? {},
      user: (raw.user ?? []).map((s, index) => ({ ...s, index })),
      tools: raw.tools ?? {},
      run: {
        limitMs: raw.run?.limit ?? DEFAULT_RUN.limitMs,
        settleMs: raw.run?.settle ?? DEFAULT_RUN.settleMs,
        close: raw.run?.close ?? DEFAULT_RUN.close,
      },
      expect: raw.expect ?? DEFAULT_EXPECTATIONS,
    }),
  )
  .superRefine((script, ctx) => {
    const issues = [
      ...crossReferenceIssues(script),
      ...speechTargetIssues(script.user),
      ...realtimeProbeIssues(script),
      ...fallbackIssues(script.models.llm ?? [], ['models', 'llm']),
      ...fallbackIssues(script.models.realtime?.responses ?? [], [
        'models',
        'realtime',
        'responses',
      ]),
    ];
    for (const issue of issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    }
  });

export interface PathIssue {
  path: (string | number)[];
  message: string;
}

/** One reply answers whatever nothing else matches: a second `fallback: true` is a mistake. */
function fallbackIssues(replies: readonly { fallback?: boolean }[], at: string[]): PathIssue[] {
  const first = replies.findIndex((r) => r.fallback === true);
  return replies.flatMap((r, i) =>
    r.fallback === true && i > first
      ? [
          {
            path: [...at, i, 'fallback'],
            message: `only one reply can be the fallback, and ${at.join('.')}[${first}] already is`,
          },
        ]
      : [],
  );
}

/** `expect.requests` logs chat-model requests: with a realtime model it would see none. */
function realtimeProbeIssues(script: SessionScript): PathIssue[] {
  if (!script.models.realtime || script.expect.requests === null) return [];
  return [
    {
      path: ['expect', 'requests'],
      message:
        "expect.requests checks the chat model's requests, and models.realtime replaces it: check what the realtime model did with expect.realtime or expect.events",
    },
  ];
}

/** Ids that refer to other parts of the file must exist, and point backwards. */
export function crossReferenceIssues(script: SessionScript): PathIssue[] {
  const issues: PathIssue[] = [];
  const stepIds = new Set<string>();
  for (const step of script.user) {
    const at = ['user', step.index];
    if (step.timing.kind === 'after') {
      checkRef(step.timing.ref, [...at, 'after'], stepIds, null, issues, true);
    }
    if (step.id !== null) {
      if (step.id === 'previous')
        issues.push({ path: [...at, 'id'], message: '"previous" is reserved' });
      else if (stepIds.has(step.id)) {
        issues.push({ path: [...at, 'id'], message: `duplicate step id "${step.id}"` });
      }
      stepIds.add(step.id);
    }
  }
  const matchIds = new Set<string>();
  for (const e of script.expect.events) {
    const at = ['expect', 'events', e.index];
    if (e.within?.of)
      checkRef(e.within.of, [...at, 'within', 'of'], stepIds, matchIds, issues, false);
    checkWhere(e.where, [...at, 'where'], matchIds, issues);
    if (e.id !== null) {
      if (matchIds.has(e.id))
        issues.push({ path: [...at, 'id'], message: `duplicate id "${e.id}"` });
      matchIds.add(e.id);
    }
  }
  script.expect.audio?.items.forEach((item, i) => {
    if (item.speech !== undefined && !matchIds.has(item.speech)) {
      issues.push({
        path: ['expect', 'audio', i, 'speech'],
        message: `no expectation in expect.events has id "${item.speech}"`,
      });
    }
  });
  return issues;
}

function checkRef(
  ref: PointRef,
  path: (string | number)[],
  stepIds: Set<string>,
  matchIds: Set<string> | null,
  issues: PathIssue[],
  stepsSoFar: boolean,
): void {
  const which = stepsSoFar ? 'an earlier step' : 'a step';
  if (ref.kind === 'step' && !stepIds.has(ref.step)) {
    issues.push({ path: [...path, 'step'], message: `"${ref.step}" is not the id of ${which}` });
  }
  if (ref.kind === 'event' && ref.since !== null) {
    const ok = stepIds.has(ref.since) || (stepsSoFar && ref.since === 'previous');
    if (!ok) {
      issues.push({
        path: [...path, 'since'],
        message: `"${ref.since}" is not the id of ${which}`,
      });
    }
  }
  if (ref.kind === 'match' && !matchIds?.has(ref.match)) {
    issues.push({
      path: [...path, 'match'],
      message: `"${ref.match}" is not the id of an earlier expectation`,
    });
  }
  if (ref.kind === 'event') checkWhere(ref.where, [...path, 'where'], matchIds, issues);
}

function checkWhere(
  w: Where | undefined,
  path: (string | number)[],
  matchIds: Set<string> | null,
  issues: PathIssue[],
): void {
  for (const [field, m] of Object.entries(w ?? {}))
    checkMatcher(m, [...path, field], matchIds, issues);
}

function checkMatcher(
  m: Matcher,
  path: (string | number)[],
  matchIds: Set<string> | null,
  issues: PathIssue[],
): void {
  if (m.kind === 'list') {
    for (const [i, item] of m.items.entries()) checkMatcher(item, [...path, i], matchIds, issues);
  }
  if (m.kind !== 'ops' || m.ops.sameAs === undefined) return;
  const id = m.ops.sameAs.split('.')[0]!;
  if (!matchIds?.has(id)) {
    issues.push({
      path: [...path, 'sameAs'],
      message: `"${id}" is not the id of an earlier expectation`,
    });
  }
}
