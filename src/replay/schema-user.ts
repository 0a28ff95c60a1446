import { z } from 'zod';
import type { ToolChoice } from '../runtime/models/llm.js';
import type { SayPriority } from '../runtime/session/session.js';
import { anchor, duration, type PointRef, refId } from './schema-common.js';
import { describeTarget, type SpeechTarget, speechTarget } from './speech-targets.js';

/** The `user:` timeline: what the user (and the API) do, and when. */

export type StepTiming =
  /** Absolute session time. */
  | { kind: 'at'; ms: number }
  /** Relative to an event or an earlier step. */
  | { kind: 'after'; ref: PointRef; offsetMs: number }
  /** Neither given: as soon as the previous step has ended (the first step: at 0). */
  | { kind: 'next' };

export type UserAction =
  | {
      type: 'speech';
      transcript: string;
      durationMs: number;
      sttDelayMs: number | null;
      /** Whether the STT sends an interim transcript halfway (default: yes). */
      interim: boolean | null;
    }
  | { type: 'noise'; durationMs: number }
  | { type: 'text'; text: string; source: 'text' | 'api' }
  /** `target`: one handle (`handle.interrupt()`); null: `session.interrupt()`. */
  | { type: 'interrupt'; force: boolean; target?: SpeechTarget }
  | {
      type: 'say';
      text: string;
      allowInterruptions: boolean | null;
      addToHistory: boolean | null;
      priority?: SayPriority;
    }
  | {
      type: 'reply';
      instructions: string | null;
      userInput: string | null;
      allowInterruptions: boolean | null;
      toolChoice: ToolChoice | null;
    }
  | { type: 'wait'; durationMs: number }
  | { type: 'close'; reason: string }
  /** A hot reload: the session closes and a new one starts with a fresh agent. */
  | { type: 'reload' };

export interface UserStep {
  index: number;
  id: string | null;
  timing: StepTiming;
  action: UserAction;
}

/** Speech without `duration`/`end` lasts about as long as saying its transcript takes. */
export const DEFAULT_SPEECH_MS_PER_CHAR = 60;
export const MIN_DEFAULT_SPEECH_MS = 300;

export const ACTION_KEYS = [
  'speech',
  'noise',
  'text',
  'interrupt',
  'say',
  'reply',
  'wait',
  'close',
  'reload',
] as const;

/** Fields that only make sense with one kind of step. */
const FIELD_OWNERS: Record<string, readonly (typeof ACTION_KEYS)[number][]> = {
  duration: ['speech'],
  end: ['speech'],
  sttDelay: ['speech'],
  interim: ['speech'],
  source: ['text'],
  allowInterruptions: ['say'],
  addToHistory: ['say'],
  priority: ['say'],
};

const toolChoice = z.union([
  z.enum(['auto', 'required', 'none']),
  z.strictObject({ name: z.string() }),
]);

const rawStep = z.strictObject({
  id: refId.optional(),
  at: duration.optional(),
  after: anchor.optional(),
  speech: z.string().optional(),
  noise: duration.optional(),
  text: z.string().optional(),
  interrupt: z
    .union([
      z.literal(true),
      z.strictObject({ force: z.boolean().optional(), speech: speechTarget.optional() }),
    ])
    .optional(),
  say: z.string().optional(),
  reply: z
    .union([
      z.literal(true),
      z.strictObject({
        instructions: z.string().optional(),
        userInput: z.string().optional(),
        allowInterruptions: z.boolean().optional(),
        toolChoice: toolChoice.optional(),
      }),
    ])
    .optional(),
  wait: duration.optional(),
  close: z.union([z.literal(true), z.string()]).optional(),
  reload: z.literal(true).optional(),
  duration: duration.optional(),
  end: duration.optional(),
  sttDelay: duration.optional(),
  interim: z.boolean().optional(),
  source: z.enum(['text', 'api']).optional(),
  allowInterruptions: z.boolean().optional(),
  addToHistory: z.boolean().optional(),
  priority: z.enum(['low', 'normal', 'high']).optional(),
});

type RawStep = z.output<typeof rawStep>;

export const userStep = rawStep.transform((raw, ctx): Omit<UserStep, 'index'> => {
  const add = (message: string, path: (string | number)[] = []) =>
    ctx.issues.push({ code: 'custom', message, path, input: raw });
  const kinds = ACTION_KEYS.filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) {
    add(
      kinds.length === 0
        ? `a step needs one of: ${ACTION_KEYS.join(', ')}`
        : `a step does one thing; found ${kinds.join(' and ')}`,
    );
    return z.NEVER;
  }
  const kind = kinds[0]!;
  for (const [field, owners] of Object.entries(FIELD_OWNERS)) {
    if (raw[field as keyof RawStep] !== undefined && !owners.includes(kind)) {
      add(`\`${field}\` does not apply to a ${kind} step (only to ${owners.join(', ')})`, [field]);
    }
  }
  if (raw.at !== undefined && raw.after !== undefined) {
    add('give either `at` or `after`, not both', ['after']);
  }
  if (raw.duration !== undefined && raw.end !== undefined) {
    add('give either `duration` or `end`, not both', ['end']);
  }
  let endDurationMs: number | null = null;
  if (raw.end !== undefined) {
    if (raw.at === undefined)
      add('`end` needs an absolute `at` (use `duration` otherwise)', ['end']);
    else if (raw.end <= raw.at) add('`end` must be after `at`', ['end']);
    else endDurationMs = raw.end - raw.at;
  }
  const timing: StepTiming =
    raw.at !== undefined
      ? { kind: 'at', ms: raw.at }
      : raw.after !== undefined
        ? { kind: 'after', ref: raw.after.ref, offsetMs: raw.after.offsetMs }
        : { kind: 'next' };
  return { id: raw.id ?? null, timing, action: toAction(raw, kind, endDurationMs) };
});

function toAction(
  raw: RawStep,
  kind: (typeof ACTION_KEYS)[number],
  endDurationMs: number | null,
): UserAction {
  switch (kind) {
    case 'speech': {
      const transcript = raw.speech!;
      const guess = Math.max(MIN_DEFAULT_SPEECH_MS, transcript.length * DEFAULT_SPEECH_MS_PER_CHAR);
      return {
        type: 'speech',
        transcript,
        durationMs: raw.duration ?? endDurationMs ?? guess,
        sttDelayMs: raw.sttDelay ?? null,
        interim: raw.interim ?? null,
      };
    }
    case 'noise':
      return { type: 'noise', durationMs: raw.noise! };
    case 'text':
      return { type: 'text', text: raw.text!, source: raw.source ?? 'text' };
    case 'interrupt': {
      const i = raw.interrupt === true ? {} : raw.interrupt!;
      return { type: 'interrupt', force: !!i.force, ...(i.speech ? { target: i.speech } : {}) };
    }
    case 'say':
      return {
        type: 'say',
        text: raw.say!,
        allowInterruptions: raw.allowInterruptions ?? null,
        addToHistory: raw.addToHistory ?? null,
        ...(raw.priority ? { priority: raw.priority } : {}),
      };
    case 'reply': {
      const r = raw.reply === true ? {} : raw.reply!;
      return {
        type: 'reply',
        instructions: r.instructions ?? null,
        userInput: r.userInput ?? null,
        allowInterruptions: r.allowInterruptions ?? null,
        toolChoice: r.toolChoice ?? null,
      };
    }
    case 'wait':
      return { type: 'wait', durationMs: raw.wait! };
    case 'close':
      return { type: 'close', reason: raw.close === true ? 'script' : raw.close! };
    case 'reload':
      return { type: 'reload' };
  }
}

/** How long a step lasts from its start: the next `next`-timed step starts after it. */
export function stepLengthMs(action: UserAction): number {
  switch (action.type) {
    case 'speech':
    case 'noise':
    case 'wait':
      return action.durationMs;
    default:
      return 0;
  }
}

export function describeAction(action: UserAction): string {
  switch (action.type) {
    case 'speech':
      return `speech "${action.transcript}" (${action.durationMs}ms)`;
    case 'noise':
      return `noise (${action.durationMs}ms)`;
    case 'text':
      return `${action.source} "${action.text}"`;
    case 'interrupt': {
      const what = action.target ? ` ${describeTarget(action.target)}` : '';
      return `interrupt${what}${action.force ? ' (force)' : ''}`;
    }
    case 'say':
      return `say "${action.text}"`;
    case 'reply':
      return action.userInput !== null ? `reply to "${action.userInput}"` : 'reply';
    case 'wait':
      return `wait ${action.durationMs}ms`;
    case 'close':
      return `close (${action.reason})`;
    case 'reload':
      return 'reload (a new session with a fresh agent)';
  }
}
