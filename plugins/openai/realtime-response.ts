import type { RealtimeResponse, RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import type { AudioFrame } from '../../src/runtime/audio/frame.js';
import type { ProviderError } from '../../src/runtime/models/context.js';
import type { RealtimeChunk } from '../../src/runtime/models/realtime.js';
import { AsyncQueue } from '../shared/async-queue.js';
import type { ErrorScope } from '../shared/errors.js';
import { PcmChunker } from '../shared/pcm.js';
import { REALTIME_SAMPLE_RATE, serverError } from './realtime-protocol.js';

/** Where a response is: asked for, streaming, or over (for whatever reason). */
export type ResponsePhase = 'requested' | 'streaming' | 'over';

/**
 * One `respond()` call seen from the protocol: the server events of its response become
 * chunks, in order. The response is recognised by the `metadata` it was created with.
 */
export class ResponseStream {
  /** Sent as `metadata.voxagent_response` and echoed in `response.created`. */
  readonly tag: string;
  readonly chunks = new AsyncQueue<RealtimeChunk>();
  responseId: string | undefined;
  /** `event_id` of the last `response.create` sent for it. */
  createEventId: string | undefined;
  /** `response.create` was refused because another response is active: send it again. */
  blocked = false;
  createAttempts = 0;
  #phase: ResponsePhase = 'requested';
  readonly #scope: ErrorScope;
  readonly #audio = new Map<string, PcmChunker>();

  constructor(tag: string, scope: ErrorScope) {
    this.tag = tag;
    this.#scope = scope;
  }

  get phase(): ResponsePhase {
    return this.#phase;
  }

  get over(): boolean {
    return this.#phase === 'over';
  }

  started(responseId: string): void {
    this.responseId = responseId;
    this.blocked = false;
    if (this.#phase === 'requested') this.#phase = 'streaming';
  }

  /** Ends the stream with `error` (the first ending wins). */
  fail(error: unknown): void {
    if (this.#phase === 'over') return;
    this.#phase = 'over';
    this.chunks.fail(error);
  }

  /** An event of this response (its `response_id` matched). */
  handle(event: RealtimeServerEvent): void {
    if (this.#phase !== 'streaming') return;
    switch (event.type) {
      case 'response.output_item.added':
        if (event.item.type === 'message' && event.item.id) {
          this.chunks.push({ type: 'message_started', itemId: event.item.id });
        }
        break;
      case 'response.output_audio.delta':
        this.#pushAudio(event.item_id, this.#chunker(event.item_id).push(decode(event.delta)));
        break;
      case 'response.output_audio.done':
        this.#flushAudio(event.item_id);
        break;
      case 'response.output_audio_transcript.delta':
      case 'response.output_text.delta':
        if (event.delta)
          this.chunks.push({ type: 'text', itemId: event.item_id, delta: event.delta });
        break;
      case 'response.function_call_arguments.done':
        this.chunks.push({
          type: 'tool_call',
          itemId: event.item_id,
          call: { id: event.call_id, name: event.name, arguments: event.arguments },
        });
        break;
    }
  }

  /** `response.done`: the usage, then the end (or the failure) of the stream. */
  done(response: RealtimeResponse): void {
    if (this.#phase !== 'streaming') return;
    for (const itemId of [...this.#audio.keys()]) this.#flushAudio(itemId);
    const usage = response.usage;
    if (usage) {
      const inputAudio = usage.input_token_details?.audio_tokens;
      const outputAudio = usage.output_token_details?.audio_tokens;
      this.chunks.push({
        type: 'usage',
        inputTokens: usage.input_tokens ?? 0,
        outputTokens: usage.output_tokens ?? 0,
        ...(inputAudio !== undefined ? { inputAudioTokens: inputAudio } : {}),
        ...(outputAudio !== undefined ? { outputAudioTokens: outputAudio } : {}),
      });
    }
    if (response.status === 'failed') {
      this.fail(failedResponseError(response, this.#scope));
      return;
    }
    // completed, incomplete (token limit, content filter) and cancelled all end the reply.
    this.#phase = 'over';
    this.chunks.close();
  }

  #chunker(itemId: string): PcmChunker {
    let chunker = this.#audio.get(itemId);
    if (!chunker) {
      chunker = new PcmChunker(REALTIME_SAMPLE_RATE);
      this.#audio.set(itemId, chunker);
    }
    return chunker;
  }

  #flushAudio(itemId: string): void {
    const last = this.#audio.get(itemId)?.flush();
    this.#audio.delete(itemId);
    if (last) this.#pushAudio(itemId, [last]);
  }

  #pushAudio(itemId: string, frames: readonly AudioFrame[]): void {
    for (const frame of frames) this.chunks.push({ type: 'audio', itemId, frame });
  }
}

export function decode(base64: string): Buffer {
  return Buffer.from(base64, 'base64');
}

function failedResponseError(response: RealtimeResponse, scope: ErrorScope): ProviderError {
  const error = response.status_details?.error;
  return serverError(
    {
      type: error?.type ?? 'server_error',
      code: error?.code,
      message: 'the response failed',
    },
    scope,
  );
}
