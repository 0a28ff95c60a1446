import { z } from 'zod';
import { LIMITS } from './limits.js';
import type { Matcher } from './matchers.js';
import {
  boundedInt,
  boundedList,
  duration,
  matcher,
  textOrRegex,
  toolCallSpecs,
} from './schema-common.js';

/**
 * `models.realtime`: a scripted speech-to-speech model (FakeRealtimeModel) in place of the
 * chat model. Responses are keyed like `models.llm`'s; audio lengths, times to first audio
 * and faults are scripted per response. docs/sessions.md describes every field.
 */

/** A failure the model reports during a response (a server `error` event). */
const realtimeError = z.strictObject({
  message: z.string(),
  /** An HTTP status, or the close code of a WebSocket that dropped. */
  status: boundedInt(100, 4999).optional(),
  retryable: z.boolean().optional(),
  /** The failing provider, as the `error` event's `source` names it. */
  provider: z.string().optional(),
  /** Audio delivered before it fails (default: it fails before any output). */
  afterAudio: duration.optional(),
});

/** The socket closes mid-response. */
const disconnect = z.strictObject({
  afterAudio: duration.optional(),
  code: boundedInt(1000, 4999).optional(),
  reason: z.string().optional(),
});

const realtimeResponse = z.strictObject({
  when: z
    .strictObject({
      input: textOrRegex.optional(),
      toolResult: textOrRegex.optional(),
      agent: z.string().optional(),
      instructions: textOrRegex.optional(),
    })
    .optional(),
  /** The transcript of its audio (or its text, when the model writes for a TTS). */
  text: z.string().optional(),
  toolCalls: toolCallSpecs.optional(),
  /** From the request to the first audio. */
  firstAudio: duration.optional(),
  /** Length of its audio; default: the text at `msPerChar`. */
  audio: duration.optional(),
  repeat: z.boolean().optional(),
  fallback: z.boolean().optional(),
  error: realtimeError.optional(),
  disconnect: disconnect.optional(),
  /** It never answers: the response stays open, silent, until it is interrupted. */
  hang: z.boolean().optional(),
});

export type RealtimeResponseSpec = z.output<typeof realtimeResponse>;

/** A refused connection attempt. */
const connectFailure = z.strictObject({
  message: z.string(),
  status: boundedInt(100, 599).optional(),
  retryable: z.boolean().optional(),
  provider: z.string().optional(),
});

export const realtimeSection = z.strictObject({
  responses: boundedList(realtimeResponse).optional(),
  /** It speaks (default); false: it writes, and `models.tts` speaks its text. */
  audioOutput: z.boolean().optional(),
  msPerChar: z
    .number()
    .positive()
    .max(LIMITS.msPerChar, { error: `expected at most ${LIMITS.msPerChar} ms per character` })
    .optional(),
  /** Deliver audio in real time instead of all at once. */
  paced: z.boolean().optional(),
  connectFailures: boundedList(connectFailure).optional(),
});

export type RealtimeSpec = z.output<typeof realtimeSection>;

/** Models a realtime model replaces: the file may not script them beside it. */
const REPLACED = ['llm'] as const;

/**
 * A file scripts either a chat model or a realtime one (with a TTS only for `say()`, or for
 * a realtime model that writes); each problem is one issue at the field to change.
 */
export function chatModelsBesideRealtime(ctx: {
  value: { realtime?: RealtimeSpec | undefined; tts?: unknown };
  issues: z.core.$ZodRawIssue[];
}): void {
  const { realtime } = ctx.value;
  if (!realtime) return;
  for (const key of REPLACED) {
    if (!(key in ctx.value)) continue;
    ctx.issues.push({
      code: 'custom',
      message: `a realtime model replaces the chat model: give models.${key} or models.realtime, not both (models.tts may stay, for say())`,
      path: [key],
      input: ctx.value,
    });
  }
  if (realtime.audioOutput === false && ctx.value.tts === undefined) {
    ctx.issues.push({
      code: 'custom',
      message: 'a realtime model that writes (audioOutput: false) needs models.tts to speak',
      path: ['realtime', 'audioOutput'],
      input: ctx.value,
    });
  }
}

/** `expect.realtime`: what the scripted realtime model itself received. */
export interface RealtimeExpectations {
  /**
   * The cuts the runtime asked for after interruptions, exactly and in order: where
   * (`audioEnd`, the audio position played) and what the model then holds of the item.
   */
  truncations: { audioEndMs: number; heard: Matcher | undefined }[] | null;
}

export const realtimeExpectations = z
  .strictObject({
    truncations: boundedList(
      z.strictObject({ audioEnd: duration, heard: matcher.optional() }),
    ).optional(),
  })
  .transform(
    (raw): RealtimeExpectations => ({
      truncations:
        raw.truncations?.map((t) => ({ audioEndMs: t.audioEnd, heard: t.heard })) ?? null,
    }),
  );
