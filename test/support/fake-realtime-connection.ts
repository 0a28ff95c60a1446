/**
 * One connection of the fake Realtime server: the session configuration, the conversation
 * (items created, deleted, truncated), the input audio buffer with a scripted server VAD
 * and input transcription, and the one response that may be active at a time.
 */
import type { WebSocket } from 'ws';
import type {
  ConnectScript,
  FakeItem,
  RecordedConnection,
  ResponseScript,
} from './fake-openai-realtime-server.js';
import { FakeInputBuffer } from './fake-realtime-input.js';
import { FakeResponse, type ResponseHost, wireItem } from './fake-realtime-response.js';

export interface ConnectionHooks {
  nextResponse(): ResponseScript;
  nextId(prefix: string): string;
  changed(): void;
}

type Json = Record<string, unknown>;

const BETA_SESSION_KEYS = [
  'modalities',
  'voice',
  'input_audio_format',
  'output_audio_format',
  'turn_detection',
  'input_audio_transcription',
];

export class FakeRealtimeConnection {
  readonly record: RecordedConnection;
  readonly #ws: WebSocket;
  readonly #hooks: ConnectionHooks;
  readonly #input: FakeInputBuffer;
  #session: Json;
  #active: { response: FakeResponse; ended: Promise<void> } | undefined;
  readonly #lateCancels: boolean;
  #held: Array<() => void> = [];

  constructor(
    ws: WebSocket,
    record: RecordedConnection,
    script: ConnectScript,
    hooks: ConnectionHooks,
  ) {
    this.#ws = ws;
    this.record = record;
    this.#hooks = hooks;
    const normal = 'reject' in script ? {} : script;
    this.#input = new FakeInputBuffer(record, normal.userSpeech ?? [], {
      send: (type, fields) => this.send(type, fields),
      nextId: (prefix) => hooks.nextId(prefix),
      session: () => this.#session,
      invalid: (message, eventId, code) => this.#invalid(message, eventId, code),
      startResponse: () => this.#createResponse(undefined, null),
    });
    this.#lateCancels = normal.lateCancels ?? false;
    this.#session = defaultSession(record.query.get('model') ?? '');
    ws.on('message', (data) => this.#onMessage(JSON.parse(String(data)) as Json));
    ws.on('close', () => {
      record.closed = true;
      this.release();
      hooks.changed();
    });
    if (!normal.silent) void this.send('session.created', { session: this.#session });
  }

  /** Sends a server event (an `event_id` is added); resolves once it is written. */
  send(type: string, fields: Json = {}): Promise<void> {
    if (this.#ws.readyState !== this.#ws.OPEN) return Promise.resolve();
    const event = { type, event_id: this.#hooks.nextId('event'), ...fields };
    return new Promise((resolve) => this.#ws.send(JSON.stringify(event), () => resolve()));
  }

  /** A server `error` event, as the server sends for a bad client event. */
  sendError(error: { type: string; code?: string; message: string }, eventId: unknown = null) {
    this.record.errorsSent.push(error.code ?? error.message);
    return this.send('error', {
      error: {
        type: error.type,
        code: error.code ?? null,
        message: error.message,
        param: null,
        event_id: eventId,
      },
    });
  }

  /** Drops the connection without a close frame (the client sees code 1006). */
  terminate(): void {
    this.#ws.terminate();
  }

  release(): void {
    for (const resume of this.#held.splice(0)) resume();
  }

  /** A response is paused at its `holdAtAudioMs`. */
  get holding(): boolean {
    return this.#held.length > 0;
  }

  get session(): Json {
    return this.#session;
  }

  #onMessage(event: Json): void {
    this.record.events.push(event);
    const type = String(event.type);
    const id = event.event_id ?? null;
    if (type === 'session.update') this.#updateSession(event.session as Json, id);
    else if (type === 'conversation.item.create') this.#createItem(event, id);
    else if (type === 'conversation.item.delete') this.#deleteItem(String(event.item_id), id);
    else if (type === 'conversation.item.truncate') this.#truncate(event, id);
    else if (type === 'input_audio_buffer.append') this.#input.append(String(event.audio));
    else if (type === 'input_audio_buffer.commit') this.#input.commit(id);
    else if (type === 'input_audio_buffer.clear') this.#input.clear();
    else if (type === 'response.create')
      this.#createResponse(event.response as Json | undefined, id);
    else if (type === 'response.cancel') this.#cancel(event.response_id, id);
    else void this.#invalid(`Invalid value: '${type}'. Supported values are client events.`, id);
    this.#hooks.changed();
  }

  #invalid(message: string, eventId: unknown, code = 'invalid_value'): Promise<void> {
    return this.sendError({ type: 'invalid_request_error', code, message }, eventId);
  }

  #updateSession(update: Json, eventId: unknown): void {
    if (update?.type !== 'realtime') {
      void this.#invalid(
        "Missing required parameter: 'session.type'.",
        eventId,
        'missing_required_parameter',
      );
      return;
    }
    const beta = BETA_SESSION_KEYS.find((key) => key in update);
    if (beta) {
      void this.#invalid(`Unknown parameter: 'session.${beta}'.`, eventId, 'unknown_parameter');
      return;
    }
    const audio = (this.#session.audio ?? {}) as Json;
    const next = (update.audio ?? {}) as Json;
    this.#session = {
      ...this.#session,
      ...update,
      audio: {
        input: { ...(audio.input as Json), ...(next.input as Json) },
        output: { ...(audio.output as Json), ...(next.output as Json) },
      },
    };
    void this.send('session.updated', { session: this.#session });
  }

  // --- conversation -----------------------------------------------------------------------

  #createItem(event: Json, eventId: unknown): void {
    const raw = event.item as Json;
    const conversation = this.record.conversation;
    const id = typeof raw.id === 'string' ? raw.id : this.#hooks.nextId('item');
    if (conversation.some((item) => item.id === id)) {
      void this.#invalid(`Item with id '${id}' already exists.`, eventId, 'item_already_exists');
      return;
    }
    const item = toFakeItem(raw, id);
    if (item.type === 'function_call_output' && !hasCall(conversation, item.callId)) {
      void this.#invalid(
        `No tool call found for function call output with call_id ${item.callId}.`,
        eventId,
      );
      return;
    }
    const previous = event.previous_item_id as string | undefined;
    const at =
      previous === undefined
        ? conversation.length
        : previous === 'root'
          ? 0
          : conversation.findIndex((i) => i.id === previous) + 1;
    if (at === 0 && previous !== undefined && previous !== 'root') {
      void this.#invalid(
        `Previous item with id '${previous}' not found.`,
        eventId,
        'item_not_found',
      );
      return;
    }
    const previousId = at === 0 ? null : conversation[at - 1]!.id;
    conversation.splice(at, 0, item);
    void this.send('conversation.item.added', {
      previous_item_id: previousId,
      item: wireItem(item),
    });
    void this.send('conversation.item.done', {
      previous_item_id: previousId,
      item: wireItem(item),
    });
  }

  #deleteItem(itemId: string, eventId: unknown): void {
    const at = this.record.conversation.findIndex((item) => item.id === itemId);
    if (at < 0) {
      void this.#invalid(`Item with item_id '${itemId}' not found.`, eventId, 'item_not_found');
      return;
    }
    this.record.conversation.splice(at, 1);
    void this.send('conversation.item.deleted', { item_id: itemId });
  }

  #truncate(event: Json, eventId: unknown): void {
    const itemId = String(event.item_id);
    const item = this.record.conversation.find((i) => i.id === itemId);
    if (!item) {
      void this.#invalid(`Item with item_id '${itemId}' not found.`, eventId, 'item_not_found');
      return;
    }
    if (item.role !== 'assistant' || item.audioMs === 0) {
      void this.#invalid(
        'Only model output audio messages can be truncated',
        eventId,
        'unsupported_content_type',
      );
      return;
    }
    const requested = Number(event.audio_end_ms);
    const audioMs = Math.round(item.audioMs);
    if (requested > audioMs) {
      // As the real server does: refuse without naming the event, then cut at the end anyway.
      void this.#invalid(
        `Audio content of ${audioMs}ms is already shorter than ${requested}ms`,
        null,
      );
    }
    const applied = Math.min(requested, audioMs);
    this.record.truncations.push({ itemId, requestedMs: requested, audioEndMs: applied });
    item.audioMs = applied;
    item.text = ''; // The server drops the transcript of truncated audio.
    void this.send('conversation.item.truncated', {
      item_id: itemId,
      content_index: event.content_index,
      audio_end_ms: applied,
    });
  }

  // --- responses --------------------------------------------------------------------------

  /** Starts a response on the server's own initiative (as turn detection would). */
  startResponse(): void {
    this.#createResponse(undefined, null);
  }

  #createResponse(params: Json | undefined, eventId: unknown): void {
    if (this.#active) {
      void this.#invalid(
        `Conversation already has an active response in progress: ${this.#active.response.id}. Wait until the response is finished before creating a new one.`,
        eventId,
        'conversation_already_has_active_response',
      );
      return;
    }
    const script = this.#hooks.nextResponse();
    if (script.type === 'hang') return;
    const response = new FakeResponse(
      this.#host(),
      script,
      this.#hooks.nextId('resp'),
      params?.metadata ?? null,
    );
    const active = {
      response,
      ended: response.run().finally(() => {
        if (this.#active === active) this.#active = undefined;
        this.#hooks.changed();
      }),
    };
    this.#active = active;
  }

  #cancel(responseId: unknown, eventId: unknown): void {
    const active = this.#active;
    const refuse = () =>
      this.#invalid(
        'Cancellation failed: no active response found',
        eventId,
        'response_cancel_not_active',
      );
    if (!active || (typeof responseId === 'string' && responseId !== active.response.id)) {
      void refuse();
    } else if (this.#lateCancels) void active.ended.then(refuse);
    else active.response.cancel();
  }

  #host(): ResponseHost {
    const session = this.#session;
    return {
      conversation: this.record.conversation,
      textOnly: Array.isArray(session.output_modalities) && session.output_modalities[0] === 'text',
      send: (type, fields) => this.send(type, fields),
      nextId: (prefix) => this.#hooks.nextId(prefix),
      hold: () =>
        new Promise<void>((resume) => {
          this.#held.push(resume);
          this.#hooks.changed();
        }),
      close: (code) =>
        code === undefined ? this.#ws.terminate() : this.#ws.close(code, 'fake failure'),
      changed: () => this.#hooks.changed(),
      errorSent: (code) => this.record.errorsSent.push(code),
      ended: (id) => {
        if (this.#active?.response.id === id) this.#active = undefined;
      },
    };
  }
}

function defaultSession(model: string): Json {
  const pcm = { type: 'audio/pcm', rate: 24_000 };
  return {
    type: 'realtime',
    object: 'realtime.session',
    id: 'sess_fake',
    model,
    output_modalities: ['audio'],
    instructions: 'You are a fake assistant.',
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    audio: {
      input: {
        format: pcm,
        transcription: null,
        noise_reduction: null,
        turn_detection: {
          type: 'server_vad',
          threshold: 0.5,
          prefix_padding_ms: 300,
          silence_duration_ms: 500,
          create_response: true,
          interrupt_response: true,
        },
      },
      output: { format: pcm, voice: 'alloy', speed: 1 },
    },
  };
}

function toFakeItem(raw: Json, id: string): FakeItem {
  const type = raw.type as FakeItem['type'];
  if (type === 'function_call') {
    return {
      id,
      type,
      text: '',
      audioMs: 0,
      callId: String(raw.call_id),
      name: String(raw.name),
      arguments: String(raw.arguments),
    };
  }
  if (type === 'function_call_output') {
    return {
      id,
      type,
      text: '',
      audioMs: 0,
      callId: String(raw.call_id),
      output: String(raw.output),
    };
  }
  const content = (raw.content ?? []) as Json[];
  const text = content.map((part) => String(part.text ?? part.transcript ?? '')).join('');
  return { id, type: 'message', role: raw.role as FakeItem['role'], text, audioMs: 0 };
}

function hasCall(conversation: readonly FakeItem[], callId: string | undefined): boolean {
  return conversation.some((item) => item.type === 'function_call' && item.callId === callId);
}
