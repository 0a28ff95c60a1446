import { frameDurationMs } from '../runtime/audio/frame.js';
import type { ModelCallContext } from '../runtime/models/context.js';
import { ProviderError } from '../runtime/models/context.js';
import type { LLM, LLMChunk, LLMRequest } from '../runtime/models/llm.js';
import type { SynthesizedAudio, TTS } from '../runtime/models/tts.js';
import { formatDuration } from './duration.js';
import { literal } from './recording-events.js';

/**
 * What a recording learns from the models it wraps: each LLM reply (text, tool calls,
 * timing, or the failure), and each synthesis (the audio made for each text piece, its time
 * to first audio, or the failure). The session file then scripts exactly that: never more
 * audio than was synthesised, and failures where they happened.
 */

export interface RecordedFailure {
  message: string;
  status?: number;
  retryable?: boolean;
  retryAfterMs?: number;
  provider?: string;
}

export interface RecordedReply {
  when: Record<string, string>;
  text: string;
  toolCalls: { name: string; arguments: unknown; id: string }[];
  ttftMs: number | null;
  durationMs: number;
  error: RecordedFailure | null;
}

export interface RecordedSynthesis {
  /** The text pieces the TTS was given, in order. */
  pieces: string[];
  /** Audio made for each piece (by index). */
  audioMs: number[];
  /** First text in → first audio out; null without audio. */
  ttfbMs: number | null;
  failure: { afterMs: number; afterAudioMs: number; error: RecordedFailure } | null;
  /** Audio made before the synthesis was cut short (its speech interrupted); null if not. */
  cutAfterAudioMs: number | null;
}

export function failureOf(err: unknown): RecordedFailure {
  if (!(err instanceof ProviderError)) {
    return { message: err instanceof Error ? err.message : String(err) };
  }
  const d = err.details;
  return {
    message: err.message,
    provider: err.provider,
    ...(d.status !== undefined ? { status: d.status } : {}),
    ...(d.retryable !== undefined ? { retryable: d.retryable } : {}),
    ...(d.retryAfterMs !== undefined ? { retryAfterMs: d.retryAfterMs } : {}),
  };
}

export function parseArguments(json: string): unknown {
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : json;
  } catch {
    return json;
  }
}

function startReply(request: LLMRequest): RecordedReply {
  const last = request.messages.at(-1);
  const when: Record<string, string> = {};
  if (last?.role === 'user') when.input = literal(last.content);
  if (last?.role === 'tool') when.toolResult = literal(last.content);
  if (request.agent) when.agent = request.agent;
  return { when, text: '', toolCalls: [], ttftMs: null, durationMs: 0, error: null };
}

/** An LLM that passes everything through and adds each reply to `replies`. */
export function recordingLLM(llm: LLM, replies: RecordedReply[]): LLM {
  return {
    label: llm.label,
    async *chat(request: LLMRequest, ctx: ModelCallContext): AsyncIterable<LLMChunk> {
      const reply = startReply(request);
      replies.push(reply);
      const started = ctx.clock.now();
      try {
        for await (const chunk of llm.chat(request, ctx)) {
          reply.ttftMs ??= ctx.clock.now() - started;
          if (chunk.type === 'text') reply.text += chunk.delta;
          if (chunk.type === 'tool_call') {
            const { id, name } = chunk.call;
            reply.toolCalls.push({ id, name, arguments: parseArguments(chunk.call.arguments) });
          }
          yield chunk;
        }
      } catch (err) {
        if (!ctx.signal.aborted) reply.error = failureOf(err);
        throw err;
      } finally {
        reply.durationMs = ctx.clock.now() - started;
      }
    },
  };
}

/** A TTS that passes everything through and adds each synthesis to `syntheses`. */
export function recordingTTS(tts: TTS, syntheses: RecordedSynthesis[]): TTS {
  return {
    label: tts.label,
    sampleRate: tts.sampleRate,
    async *synthesize(
      text: AsyncIterable<string>,
      ctx: ModelCallContext,
    ): AsyncIterable<SynthesizedAudio> {
      const record: RecordedSynthesis = {
        pieces: [],
        audioMs: [],
        ttfbMs: null,
        failure: null,
        cutAfterAudioMs: null,
      };
      const made = () => record.audioMs.reduce((a, b) => a + b, 0);
      syntheses.push(record);
      let firstText: number | undefined;
      // A failure of the text coming in (the LLM failed) is not the TTS's.
      let inputFailed = false;
      async function* timed(): AsyncIterable<string> {
        try {
          for await (const piece of text) {
            firstText ??= ctx.clock.now();
            record.pieces.push(piece);
            record.audioMs.push(0);
            yield piece;
          }
        } catch (err) {
          inputFailed = true;
          throw err;
        }
      }
      try {
        for await (const audio of tts.synthesize(timed(), ctx)) {
          if (record.ttfbMs === null && firstText !== undefined) {
            record.ttfbMs = ctx.clock.now() - firstText;
          }
          record.audioMs[audio.textIndex] =
            (record.audioMs[audio.textIndex] ?? 0) + frameDurationMs(audio.frame);
          yield audio;
        }
      } catch (err) {
        if (!ctx.signal.aborted && !inputFailed) {
          const afterMs = firstText === undefined ? 0 : ctx.clock.now() - firstText;
          record.failure = { afterMs, afterAudioMs: made(), error: failureOf(err) };
        }
        throw err;
      } finally {
        // Interrupted while it still made audio: a replay must stop where this one did.
        if (ctx.signal.aborted && !record.failure) record.cutAfterAudioMs = made();
      }
    },
  };
}

const ms = (v: number) => formatDuration(Math.round(v));

export function failureSpec(f: RecordedFailure): Record<string, unknown> {
  return {
    message: f.message,
    ...(f.status !== undefined ? { status: f.status } : {}),
    ...(f.retryable !== undefined ? { retryable: f.retryable } : {}),
    ...(f.retryAfterMs !== undefined ? { retryAfter: ms(f.retryAfterMs) } : {}),
    ...(f.provider !== undefined ? { provider: f.provider } : {}),
  };
}

export function replyToSpec(r: RecordedReply): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (Object.keys(r.when).length > 0) spec.when = r.when;
  if (r.text) spec.text = r.text;
  if (r.toolCalls.length > 0) spec.toolCalls = r.toolCalls;
  // A failure comes after the time it took: that is its `ttft` in the file.
  const ttft = r.ttftMs ?? (r.error ? r.durationMs : null);
  if (ttft !== null && ttft > 0) spec.ttft = ms(ttft);
  if (r.durationMs > 0 && !r.error) spec.duration = ms(r.durationMs);
  if (r.error !== null) spec.error = failureSpec(r.error);
  return spec;
}

/**
 * `models.tts` from the syntheses (and, without a wrapped TTS, from `speech.segment`
 * events): each text piece's audio as made (at most what was made, for a piece cut short),
 * the first time to first audio, an average rate for text never synthesised, the failures.
 */
export function ttsSpec(
  syntheses: readonly RecordedSynthesis[],
  segments: readonly { text: string; audioMs: number }[],
): Record<string, unknown> {
  const audio = new Map<string, number>();
  const note = (text: string, made: number) => {
    if (text !== '') audio.set(text, Math.max(audio.get(text) ?? 0, made));
  };
  for (const s of syntheses) {
    s.pieces.forEach((text, i) => {
      note(text, s.audioMs[i] ?? 0);
    });
  }
  if (syntheses.length === 0) for (const s of segments) note(s.text, s.audioMs);
  let chars = 0;
  let total = 0;
  for (const s of segments) {
    chars += s.text.length;
    total += s.audioMs;
  }
  const tts: Record<string, unknown> = {};
  if (chars > 0) tts.msPerChar = Math.round((total / chars) * 10) / 10;
  const ttfb = syntheses.find((s) => s.ttfbMs !== null)?.ttfbMs;
  if (ttfb !== undefined && ttfb !== null && ttfb > 0) tts.ttfb = ms(ttfb);
  if (audio.size > 0) tts.audio = Object.fromEntries([...audio].map(([t, v]) => [t, ms(v)]));
  const failures = syntheses.flatMap((s) =>
    s.failure
      ? [
          {
            ...(s.pieces[0] !== undefined ? { when: literal(s.pieces[0]) } : {}),
            ...(s.failure.afterMs > 0 ? { after: ms(s.failure.afterMs) } : {}),
            ...(s.failure.afterAudioMs > 0 ? { afterAudio: ms(s.failure.afterAudioMs) } : {}),
            error: failureSpec(s.failure.error),
          },
        ]
      : [],
  );
  if (failures.length > 0) tts.failures = failures;
  const stalls = syntheses.flatMap((s) =>
    s.cutAfterAudioMs !== null && s.pieces[0] !== undefined
      ? [{ when: literal(s.pieces[0]), afterAudio: ms(s.cutAfterAudioMs) }]
      : [],
  );
  if (stalls.length > 0) tts.stalls = stalls;
  return tts;
}
