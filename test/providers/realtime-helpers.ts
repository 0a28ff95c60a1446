import { OpenAIRealtimeModel, type OpenAIRealtimeOptions } from 'voxagent/openai';
import { type AudioFrame, toneFrame } from '../../src/runtime/audio/frame.js';
import type {
  RealtimeChunk,
  RealtimeEvent,
  RealtimeItem,
  RealtimeRequest,
  RealtimeSession,
} from '../../src/runtime/models/realtime.js';
import type { FakeOpenAIRealtimeServer } from '../support/fake-openai-realtime-server.js';
import { SECRET_KEY, testContext } from './helpers.js';

export function realtimeModel(
  server: FakeOpenAIRealtimeServer,
  extra: OpenAIRealtimeOptions = {},
): OpenAIRealtimeModel {
  return new OpenAIRealtimeModel({
    apiKey: SECRET_KEY,
    baseURL: server.url,
    ca: server.ca,
    ...extra,
  });
}

/** A session and every event it reported. */
export function openSession(
  server: FakeOpenAIRealtimeServer,
  extra: OpenAIRealtimeOptions = {},
): { session: RealtimeSession; events: RealtimeEvent[] } {
  const session = realtimeModel(server, extra).session(testContext());
  const events: RealtimeEvent[] = [];
  session.onEvent((event) => events.push(event));
  return { session, events };
}

export const user = (id: string, text: string, realtimeId?: string): RealtimeItem => ({
  type: 'message',
  id,
  role: 'user',
  text,
  ...(realtimeId !== undefined ? { realtimeId } : {}),
});

export const assistant = (id: string, text: string, realtimeId?: string): RealtimeItem => ({
  type: 'message',
  id,
  role: 'assistant',
  text,
  ...(realtimeId !== undefined ? { realtimeId } : {}),
});

export function request(
  items: RealtimeItem[],
  extra: Partial<RealtimeRequest> = {},
): RealtimeRequest {
  return { instructions: 'Be brief.', tools: [], items, ...extra };
}

export function respond(
  session: RealtimeSession,
  req: RealtimeRequest,
  signal: AbortSignal = new AbortController().signal,
): AsyncIterable<RealtimeChunk> {
  return session.respond(req, signal);
}

/** Chunks in order, audio summarised as its sample count. */
export function summary(chunks: readonly RealtimeChunk[]): unknown[] {
  return chunks.map((chunk) =>
    chunk.type === 'audio'
      ? { audio: chunk.frame.samplesPerChannel, rate: chunk.frame.sampleRate, itemId: chunk.itemId }
      : chunk,
  );
}

/** Consecutive audio chunks merged, so the order of audio and text is easy to read. */
export function shape(chunks: readonly RealtimeChunk[]): string[] {
  const out: string[] = [];
  for (const chunk of chunks) {
    const label =
      chunk.type === 'text'
        ? `text:${chunk.delta}`
        : chunk.type === 'tool_call'
          ? `tool:${chunk.call.name}`
          : chunk.type;
    if (label === 'audio' && out.at(-1) === 'audio') continue;
    out.push(label);
  }
  return out;
}

/** The item id of the first message the response started. */
export function messageId(chunks: readonly RealtimeChunk[]): string {
  const started = chunks.find((chunk) => chunk.type === 'message_started');
  if (!started) throw new Error('the response started no message');
  return started.itemId;
}

export function audioSamples(chunks: readonly RealtimeChunk[]): number {
  return chunks.reduce((n, c) => n + (c.type === 'audio' ? c.frame.samplesPerChannel : 0), 0);
}

/** `ms` of 16 kHz tone as 20 ms frames (the session resamples to 24 kHz). */
export function speech(ms: number, sampleRate = 16_000): AudioFrame[] {
  const n = (sampleRate * 20) / 1000;
  return Array.from({ length: ms / 20 }, (_, i) => toneFrame(20, sampleRate, 440, 8000, i * n));
}

/** Waits for a condition that I/O will make true (checked once per event-loop turn). */
export async function until(check: () => boolean, what = 'condition'): Promise<void> {
  for (let turns = 0; !check(); turns++) {
    if (turns > 200_000) throw new Error(`${what} never held`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Reads chunks until `stop(chunk)` holds; returns them and the still-open iterator. */
export async function readUntil(
  iterable: AsyncIterable<RealtimeChunk>,
  stop: (chunk: RealtimeChunk) => boolean,
): Promise<{ chunks: RealtimeChunk[]; rest: AsyncIterator<RealtimeChunk> }> {
  const rest = iterable[Symbol.asyncIterator]();
  const chunks: RealtimeChunk[] = [];
  for (;;) {
    const next = await rest.next();
    if (next.done)
      throw new Error(`the response ended before the awaited chunk (${chunks.length} chunks)`);
    chunks.push(next.value);
    if (stop(next.value)) return { chunks, rest };
  }
}

/** Client events as sent, without their `event_id` (numbered by the session). */
export function withoutIds(events: ReadonlyArray<Record<string, unknown>>): unknown[] {
  return events.map(({ event_id: _id, ...rest }) => rest);
}
