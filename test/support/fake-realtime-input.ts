/**
 * The input audio buffer of one fake Realtime connection: appends, commits (by the client,
 * or by the scripted server VAD at the user's speech), and input transcription.
 */
import type { FakeItem, RecordedConnection, UserSpeech } from './fake-openai-realtime-server.js';
import { wireItem } from './fake-realtime-response.js';

type Json = Record<string, unknown>;

export interface InputDeps {
  send(type: string, fields?: Json): Promise<void>;
  nextId(prefix: string): string;
  session(): Json;
  invalid(message: string, eventId: unknown, code: string): Promise<void>;
  /** Turn detection with `create_response` starts a response by itself. */
  startResponse(): void;
}

const BYTES_PER_MS = 48; // 24 kHz s16 mono

export class FakeInputBuffer {
  readonly #record: RecordedConnection;
  readonly #speech: UserSpeech[];
  readonly #deps: InputDeps;
  #bufferBytes = 0;
  #speaking: { itemId: string; segment: UserSpeech } | undefined;

  constructor(record: RecordedConnection, speech: readonly UserSpeech[], deps: InputDeps) {
    this.#record = record;
    this.#speech = [...speech];
    this.#deps = deps;
  }

  clear(): void {
    this.#bufferBytes = 0;
    void this.#deps.send('input_audio_buffer.cleared');
  }

  append(base64: string): void {
    const bytes = Buffer.from(base64, 'base64').length;
    this.#bufferBytes += bytes;
    this.#record.appendedMs += bytes / BYTES_PER_MS;
    const detection = (this.#deps.session().audio as Json).input as Json;
    if (!detection.turn_detection) return;
    const at = this.#record.appendedMs;
    const next = this.#speech[0];
    if (!this.#speaking && next && at >= next.startMs) {
      this.#speaking = { itemId: this.#deps.nextId('item'), segment: next };
      void this.#deps.send('input_audio_buffer.speech_started', {
        audio_start_ms: next.startMs,
        item_id: this.#speaking.itemId,
      });
    }
    const speaking = this.#speaking;
    if (speaking && at >= speaking.segment.endMs) {
      this.#speech.shift();
      this.#speaking = undefined;
      void this.#deps.send('input_audio_buffer.speech_stopped', {
        audio_end_ms: speaking.segment.endMs,
        item_id: speaking.itemId,
      });
      this.#commitBuffer(speaking.itemId, speaking.segment.transcript);
      const vad = detection.turn_detection as Json;
      if (vad.create_response !== false) this.#deps.startResponse();
    }
  }

  commit(eventId: unknown): void {
    const ms = this.#bufferBytes / BYTES_PER_MS;
    if (ms < 100) {
      void this.#deps.invalid(
        `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${ms.toFixed(2)}ms of audio.`,
        eventId,
        'input_audio_buffer_commit_empty',
      );
      return;
    }
    this.#commitBuffer(this.#deps.nextId('item'), undefined);
  }

  #commitBuffer(itemId: string, transcript: readonly string[] | undefined): void {
    const conversation = this.#record.conversation;
    const previousId = conversation.at(-1)?.id ?? null;
    const item: FakeItem = {
      id: itemId,
      type: 'message',
      role: 'user',
      text: '',
      audioMs: this.#bufferBytes / BYTES_PER_MS,
    };
    this.#bufferBytes = 0;
    conversation.push(item);
    void this.#deps.send('input_audio_buffer.committed', {
      item_id: itemId,
      previous_item_id: previousId,
    });
    void this.#deps.send('conversation.item.added', {
      previous_item_id: previousId,
      item: wireItem(item),
    });
    void this.#deps.send('conversation.item.done', {
      previous_item_id: previousId,
      item: wireItem(item),
    });
    const input = (this.#deps.session().audio as Json).input as Json;
    if (!input.transcription) return;
    const pieces = transcript ?? ['hello'];
    for (const delta of pieces) {
      void this.#deps.send('conversation.item.input_audio_transcription.delta', {
        item_id: itemId,
        content_index: 0,
        delta,
      });
    }
    item.text = pieces.join('');
    void this.#deps.send('conversation.item.input_audio_transcription.completed', {
      item_id: itemId,
      content_index: 0,
      transcript: item.text,
      usage: { type: 'duration', seconds: item.audioMs / 1000 },
    });
  }
}
