import { frameDurationMs } from '../runtime/audio/frame.js';
import type { ModelCallContext } from '../runtime/models/context.js';
import type {
  RealtimeChunk,
  RealtimeModel,
  RealtimeRequest,
  RealtimeSession,
} from '../runtime/models/realtime.js';
import { formatDuration } from './duration.js';
import { literal } from './recording-events.js';
import {
  failureOf,
  failureSpec,
  parseArguments,
  type RecordedFailure,
} from './recording-models.js';

/**
 * What a recording learns from a realtime model it wraps: each response (what it was asked
 * after, its transcript, tool calls, time to first output, the audio it made, or how it
 * failed), written back as `models.realtime`. Everything else (user audio, truncations,
 * events) passes through untouched.
 */

export interface RecordedResponse {
  when: Record<string, string>;
  text: string;
  toolCalls: { name: string; arguments: unknown; id: string }[];
  /** Request → first chunk; null when nothing came. */
  firstOutputMs: number | null;
  /** Request → its end (done, failed or cut). */
  durationMs: number;
  /** Audio received (all of it, or what came before it was cut or failed). */
  audioMs: number;
  error: (RecordedFailure & { afterAudioMs: number }) | null;
  /** Aborted (interrupted) before anything came: it replays as a response that never answers. */
  silentCut: boolean;
}

export interface RealtimeRecording {
  /** The wrapped model writes text for a TTS instead of speaking. */
  audioOutput: boolean;
  responses: RecordedResponse[];
}

function startResponse(request: RealtimeRequest): RecordedResponse {
  const last = request.items.at(-1);
  const when: Record<string, string> = {};
  // A user item's text may still be empty (its audio is transcribed later): no condition.
  if (last?.type === 'message' && last.role === 'user' && last.text) {
    when.input = literal(last.text);
  }
  if (last?.type === 'function_call_output') when.toolResult = literal(last.output);
  if (request.agent) when.agent = request.agent;
  return {
    when,
    text: '',
    toolCalls: [],
    firstOutputMs: null,
    durationMs: 0,
    audioMs: 0,
    error: null,
    silentCut: false,
  };
}

/** A realtime model that passes everything through and records each response. */
export function recordingRealtime(model: RealtimeModel, into: RealtimeRecording): RealtimeModel {
  into.audioOutput = model.capabilities.audioOutput;
  return {
    kind: 'realtime',
    label: model.label,
    capabilities: model.capabilities,
    session: (ctx) => recordingSession(model.session(ctx), ctx, into),
  };
}

function recordingSession(
  session: RealtimeSession,
  ctx: ModelCallContext,
  into: RealtimeRecording,
): RealtimeSession {
  return {
    pushAudio: (frame) => session.pushAudio(frame),
    commitAudio: () => session.commitAudio(),
    clearAudio: () => session.clearAudio(),
    truncate: (itemId, audioEndMs) => session.truncate(itemId, audioEndMs),
    onEvent: (listener) => session.onEvent(listener),
    close: () => session.close(),
    respond: (request, signal) => recordResponse(session, request, signal, ctx, into),
  };
}

async function* recordResponse(
  session: RealtimeSession,
  request: RealtimeRequest,
  signal: AbortSignal,
  ctx: ModelCallContext,
  into: RealtimeRecording,
): AsyncGenerator<RealtimeChunk> {
  const response = startResponse(request);
  into.responses.push(response);
  const started = ctx.clock.now();
  const texts = new Map<string, string>();
  try {
    for await (const chunk of session.respond(request, signal)) {
      note(response, chunk, texts);
      response.firstOutputMs ??= ctx.clock.now() - started;
      yield chunk;
    }
  } catch (err) {
    if (!signal.aborted) response.error = { ...failureOf(err), afterAudioMs: response.audioMs };
    throw err;
  } finally {
    response.durationMs = ctx.clock.now() - started;
    // One message per response in a session file: several are joined.
    response.text = [...texts.values()].map((t) => t.trim()).join(' ');
    response.silentCut = signal.aborted && response.firstOutputMs === null && !response.error;
  }
}

function note(response: RecordedResponse, chunk: RealtimeChunk, texts: Map<string, string>): void {
  switch (chunk.type) {
    case 'text':
      texts.set(chunk.itemId, (texts.get(chunk.itemId) ?? '') + chunk.delta);
      break;
    case 'audio':
      response.audioMs += frameDurationMs(chunk.frame);
      break;
    case 'tool_call': {
      const { id, name } = chunk.call;
      response.toolCalls.push({ id, name, arguments: parseArguments(chunk.call.arguments) });
      break;
    }
    default:
      break;
  }
}

const ms = (v: number) => formatDuration(Math.round(v));

function responseSpec(r: RecordedResponse, audioOutput: boolean): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (Object.keys(r.when).length > 0) spec.when = r.when;
  if (r.text) spec.text = r.text;
  if (r.toolCalls.length > 0) spec.toolCalls = r.toolCalls;
  // A failure before any output comes after the time it took: that is its `firstAudio`.
  const first = r.firstOutputMs ?? (r.error ? r.durationMs : null);
  if (first !== null && first > 0) spec.firstAudio = ms(first);
  // Exactly the audio that came, never more (the text alone would give its own length).
  if (audioOutput && (r.audioMs > 0 || r.text)) spec.audio = ms(r.audioMs);
  if (r.silentCut) spec.hang = true;
  if (r.error) {
    // A realtime response is not retried: a retry-after means nothing in the file.
    const { afterAudioMs, retryAfterMs: _retryAfter, ...failure } = r.error;
    spec.error = {
      ...failureSpec(failure),
      ...(afterAudioMs > 0 ? { afterAudio: ms(afterAudioMs) } : {}),
    };
  }
  return spec;
}

/** `models.realtime` of the recording. */
export function realtimeSpec(recording: RealtimeRecording): Record<string, unknown> {
  return {
    ...(recording.audioOutput ? {} : { audioOutput: false }),
    responses: recording.responses.map((r) => responseSpec(r, recording.audioOutput)),
  };
}
