import { FakeRealtimeModel, type FakeRealtimeResponse } from '../testing/fake-realtime.js';
import { textMatcher } from './matchers.js';
import type { RealtimeResponseSpec, RealtimeSpec } from './schema-realtime.js';

/** `models.realtime` of a session file as the scripted FakeRealtimeModel. */

/** The fake's default speaking rate, when the file gives none. */
const DEFAULT_MS_PER_CHAR = 60;

function whenOf(spec: RealtimeResponseSpec): FakeRealtimeResponse['when'] {
  const when = spec.when;
  if (!when) return undefined;
  const input = textMatcher(when.input);
  const toolResult = textMatcher(when.toolResult);
  const instructions = textMatcher(when.instructions);
  return {
    ...(input !== undefined ? { input } : {}),
    ...(toolResult !== undefined ? { toolResult } : {}),
    ...(instructions !== undefined ? { instructions } : {}),
    ...(when.agent !== undefined ? { agent: when.agent } : {}),
  };
}

/** `maxAudioMs`: no response makes more audio than this (the run's virtual-time limit). */
export function toRealtimeResponse(
  spec: RealtimeResponseSpec,
  msPerChar: number,
  maxAudioMs: number,
): FakeRealtimeResponse {
  const out: FakeRealtimeResponse = {};
  const when = whenOf(spec);
  if (when) out.when = when;
  if (spec.text !== undefined) out.text = spec.text;
  if (spec.toolCalls) {
    out.toolCalls = spec.toolCalls.map((c) => ({
      name: c.name,
      ...(c.arguments !== undefined ? { arguments: c.arguments } : {}),
      ...(c.id !== undefined ? { id: c.id } : {}),
    }));
  }
  if (spec.firstAudio !== undefined) out.firstAudioMs = spec.firstAudio;
  out.audioMs = Math.min(spec.audio ?? (spec.text ?? '').length * msPerChar, maxAudioMs);
  if (spec.repeat) out.repeat = true;
  if (spec.hang) out.hang = true;
  if (spec.error) {
    const e = spec.error;
    out.error = {
      message: e.message,
      ...(e.status !== undefined ? { status: e.status } : {}),
      ...(e.retryable !== undefined ? { retryable: e.retryable } : {}),
      ...(e.provider !== undefined ? { provider: e.provider } : {}),
      ...(e.afterAudio !== undefined ? { afterAudioMs: e.afterAudio } : {}),
    };
  }
  if (spec.disconnect) {
    const d = spec.disconnect;
    out.disconnect = {
      ...(d.afterAudio !== undefined ? { afterAudioMs: d.afterAudio } : {}),
      ...(d.code !== undefined ? { code: d.code } : {}),
      ...(d.reason !== undefined ? { reason: d.reason } : {}),
    };
  }
  return out;
}

/** The scripted realtime model of `spec` (undefined: the file scripts a chat model). */
export function buildRealtimeFake(
  spec: RealtimeSpec | undefined,
  maxAudioMs: number,
): FakeRealtimeModel | undefined {
  if (!spec) return undefined;
  const msPerChar = spec.msPerChar ?? DEFAULT_MS_PER_CHAR;
  const responses = spec.responses ?? [];
  const convert = (r: RealtimeResponseSpec) => toRealtimeResponse(r, msPerChar, maxAudioMs);
  const fallback = responses.filter((r) => r.fallback).at(-1);
  return new FakeRealtimeModel({
    responses: responses.filter((r) => !r.fallback).map(convert),
    ...(fallback ? { fallback: convert(fallback) } : {}),
    msPerChar,
    ...(spec.audioOutput !== undefined ? { audioOutput: spec.audioOutput } : {}),
    ...(spec.paced !== undefined ? { paced: spec.paced } : {}),
    ...(spec.connectFailures
      ? {
          connectFailures: spec.connectFailures.map((f) => ({
            message: f.message,
            ...(f.status !== undefined ? { status: f.status } : {}),
            ...(f.retryable !== undefined ? { retryable: f.retryable } : {}),
            ...(f.provider !== undefined ? { provider: f.provider } : {}),
          })),
        }
      : {}),
  });
}
