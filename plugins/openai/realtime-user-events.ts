import type { RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import { ProviderError } from '../../src/runtime/models/context.js';
import type { RealtimeEvent } from '../../src/runtime/models/realtime.js';
import { type ErrorScope, redact } from '../shared/errors.js';

/** What the user side of the protocol reports back to the session. */
export interface UserEventSink {
  emit(event: RealtimeEvent): void;
  /** The server named an item holding the user's audio (it may not be added yet). */
  announced(itemId: string): void;
  /** The input buffer became item `itemId`. */
  committed(itemId: string): void;
}

/**
 * The user's side of the protocol: the server's speech detection, its commits of the input
 * buffer, and the transcription of the user's audio (deltas add up to the text so far).
 */
export class UserEvents {
  readonly #scope: ErrorScope;
  readonly #transcripts = new Map<string, string>();

  constructor(scope: ErrorScope) {
    this.#scope = scope;
  }

  /** Handles `event` if it is about the user's audio; false otherwise. */
  handle(event: RealtimeServerEvent, sink: UserEventSink): boolean {
    switch (event.type) {
      case 'input_audio_buffer.speech_started':
        sink.emit({ type: 'speech_started' });
        return true;
      case 'input_audio_buffer.speech_stopped':
        sink.announced(event.item_id);
        sink.emit({ type: 'speech_stopped', itemId: event.item_id });
        return true;
      case 'input_audio_buffer.committed':
        sink.announced(event.item_id);
        sink.committed(event.item_id);
        return true;
      case 'conversation.item.input_audio_transcription.delta': {
        const text = (this.#transcripts.get(event.item_id) ?? '') + (event.delta ?? '');
        this.#transcripts.set(event.item_id, text);
        sink.emit({ type: 'input_transcript', itemId: event.item_id, text, final: false });
        return true;
      }
      case 'conversation.item.input_audio_transcription.completed':
        this.#transcripts.delete(event.item_id);
        sink.emit({
          type: 'input_transcript',
          itemId: event.item_id,
          text: event.transcript,
          final: true,
        });
        return true;
      case 'conversation.item.input_audio_transcription.failed':
        this.#transcripts.delete(event.item_id);
        sink.emit({ type: 'error', error: this.#transcriptionError(event.error.message) });
        return true;
      default:
        return false;
    }
  }

  /** The connection is gone, and partial transcripts with it. */
  reset(): void {
    this.#transcripts.clear();
  }

  #transcriptionError(message: string | undefined): ProviderError {
    const said = message ? `: ${redact(message, this.#scope.secrets)}` : '';
    return new ProviderError(this.#scope.provider, `could not transcribe the user${said}`, {
      retryable: true,
      hint: "the model still heard the audio; only voxagent's transcript of it is missing",
    });
  }
}
