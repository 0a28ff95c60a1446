/**
 * One response of the fake Realtime server, streamed as the GA server streams it:
 * response.created → per output item (output_item.added, conversation.item.added, content
 * deltas or function-call argument deltas, the `.done`s) → response.done. It stops at a
 * cancel (status cancelled), a scripted fault, or a hold until released.
 */
import type { FakeItem, ResponseScript, ScriptedCall } from './fake-openai-realtime-server.js';
import { fakePcm } from './fake-openai-server.js';

type Json = Record<string, unknown>;
type Reply = Exclude<ResponseScript, { type: 'hang' }>;

export interface ResponseHost {
  readonly conversation: FakeItem[];
  readonly textOnly: boolean;
  send(type: string, fields: Json): Promise<void>;
  nextId(prefix: string): string;
  hold(): Promise<void>;
  close(code: number | undefined): void;
  changed(): void;
  errorSent(code: string): void;
  /** The response is no longer active (about to send `response.done`, or the socket died). */
  ended(responseId: string): void;
}

const BYTES_PER_MS = 48;
// Odd-sized audio deltas (~100 ms): samples straddle deltas, as the client must handle.
const DELTA_BYTES = 4801;

/** An item as the server shows it in events. */
export function wireItem(item: FakeItem, status = 'completed'): Json {
  const base = { id: item.id, object: 'realtime.item', type: item.type, status };
  if (item.type === 'function_call') {
    return { ...base, call_id: item.callId, name: item.name, arguments: item.arguments };
  }
  if (item.type === 'function_call_output') {
    return { ...base, call_id: item.callId, output: item.output };
  }
  let content: Json[];
  if (item.role === 'assistant') {
    content =
      item.audioMs > 0 || item.text === ''
        ? [{ type: 'output_audio', transcript: item.text }]
        : [{ type: 'output_text', text: item.text }];
  } else if (item.audioMs > 0) {
    content = [{ type: 'input_audio', transcript: item.text || null }];
  } else content = [{ type: 'input_text', text: item.text }];
  return { ...base, role: item.role, content };
}

export class FakeResponse {
  readonly id: string;
  readonly #host: ResponseHost;
  readonly #script: Reply;
  readonly #metadata: unknown;
  readonly #output: FakeItem[] = [];
  #sentMs = 0;
  #held = false;
  #faulted = false;
  #cancelled = false;
  #wake: (() => void) | undefined;

  constructor(host: ResponseHost, script: Reply, id: string, metadata: unknown) {
    this.#host = host;
    this.#script = script;
    this.id = id;
    this.#metadata = metadata;
  }

  cancel(): void {
    const delay = this.#script.cancelDelayMs ?? 0;
    const stop = () => {
      this.#cancelled = true;
      this.#wake?.();
    };
    if (delay > 0) setTimeout(stop, delay);
    else stop();
  }

  async run(): Promise<void> {
    await this.#host.send('response.created', { response: this.#resource('in_progress') });
    const text = this.#script.text ?? [];
    const hasMessage = text.length > 0 || (this.#script.audioMs ?? 0) > 0;
    if (await this.#stopped()) return this.#finishStopped(undefined);
    if (hasMessage) {
      const item = await this.#message(text);
      if (item) return this.#finishStopped(item);
    }
    for (const call of this.#script.toolCalls ?? []) {
      if (await this.#stopped()) return this.#finishStopped(undefined);
      await this.#call(call);
    }
    if (await this.#stopped()) return this.#finishStopped(undefined);
    await this.#done(this.#script.status ?? 'completed');
  }

  /** Streams the message; returns the item if the response stopped in the middle of it. */
  async #message(text: readonly string[]): Promise<FakeItem | undefined> {
    const host = this.#host;
    const item = this.#add({
      id: host.nextId('item'),
      type: 'message',
      role: 'assistant',
      text: '',
      audioMs: 0,
    });
    const where = { response_id: this.id, item_id: item.id, output_index: 0, content_index: 0 };
    const part = host.textOnly ? { type: 'text', text: '' } : { type: 'audio', transcript: '' };
    await host.send('response.content_part.added', { ...where, part });
    const audioMs = host.textOnly ? 0 : (this.#script.audioMs ?? text.join('').length * 60);
    const pcm = fakePcm(Math.round(audioMs * 24));
    const slices = Math.max(1, Math.ceil(pcm.length / DELTA_BYTES));
    let sentText = 0;
    for (let slice = 0; slice < slices; slice++) {
      const due = Math.ceil(((slice + 1) * text.length) / slices);
      for (; sentText < due; sentText++) {
        if (host.textOnly && (await this.#stopped())) return item;
        item.text += text[sentText]!;
        const type = host.textOnly
          ? 'response.output_text.delta'
          : 'response.output_audio_transcript.delta';
        await host.send(type, { ...where, delta: text[sentText] });
        if (host.textOnly) this.#sentMs += 100;
      }
      const bytes = pcm.subarray(slice * DELTA_BYTES, (slice + 1) * DELTA_BYTES);
      if (bytes.length === 0) continue;
      if (await this.#stopped()) return item;
      await host.send('response.output_audio.delta', { ...where, delta: bytes.toString('base64') });
      this.#sentMs += bytes.length / BYTES_PER_MS;
      item.audioMs = this.#sentMs;
    }
    if (await this.#stopped()) return item;
    if (host.textOnly) await host.send('response.output_text.done', { ...where, text: item.text });
    else {
      await host.send('response.output_audio.done', where);
      await host.send('response.output_audio_transcript.done', { ...where, transcript: item.text });
    }
    const donePart = host.textOnly
      ? { type: 'text', text: item.text }
      : { type: 'audio', transcript: item.text };
    await host.send('response.content_part.done', { ...where, part: donePart });
    await this.#itemDone(item, 'completed');
    return undefined;
  }

  async #call(call: ScriptedCall): Promise<void> {
    const host = this.#host;
    const args = call.arguments.join('');
    const item = this.#add({
      id: host.nextId('item'),
      type: 'function_call',
      text: '',
      audioMs: 0,
      callId: call.callId,
      name: call.name,
      arguments: args,
    });
    const where = {
      response_id: this.id,
      item_id: item.id,
      output_index: this.#output.length - 1,
      call_id: call.callId,
    };
    for (const delta of call.arguments) {
      await host.send('response.function_call_arguments.delta', { ...where, delta });
    }
    await host.send('response.function_call_arguments.done', {
      ...where,
      name: call.name,
      arguments: args,
    });
    await this.#itemDone(item, 'completed');
  }

  /** Adds an output item to the conversation and announces it. */
  #add(item: FakeItem): FakeItem {
    const host = this.#host;
    const previousId = host.conversation.at(-1)?.id ?? null;
    host.conversation.push(item);
    this.#output.push(item);
    const wire = wireItem(item, 'in_progress');
    void host.send('response.output_item.added', {
      response_id: this.id,
      output_index: this.#output.length - 1,
      item: wire,
    });
    void host.send('conversation.item.added', { previous_item_id: previousId, item: wire });
    return item;
  }

  async #itemDone(item: FakeItem, status: string): Promise<void> {
    const wire = wireItem(item, status);
    const index = this.#output.indexOf(item);
    await this.#host.send('response.output_item.done', {
      response_id: this.id,
      output_index: index,
      item: wire,
    });
    await this.#host.send('conversation.item.done', { item: wire });
  }

  /** Holds, faults and cancels due at this point: true when the response must stop. */
  async #stopped(): Promise<boolean> {
    const script = this.#script;
    if (!this.#held && script.holdAtAudioMs !== undefined && this.#sentMs >= script.holdAtAudioMs) {
      this.#held = true;
      if (!this.#cancelled) {
        await Promise.race([this.#host.hold(), new Promise<void>((wake) => (this.#wake = wake))]);
      }
    }
    const fault = script.fault;
    if (!this.#faulted && fault && this.#sentMs >= (fault.atAudioMs ?? 0)) {
      this.#faulted = true;
      await this.#fault(fault);
      return true;
    }
    return this.#cancelled;
  }

  async #fault(fault: NonNullable<Reply['fault']>): Promise<void> {
    const host = this.#host;
    if (fault.kind === 'close') {
      host.close(fault.code);
      return;
    }
    if (fault.kind === 'error') {
      host.errorSent(fault.error.code ?? fault.error.message);
      await host.send('error', {
        error: { ...fault.error, code: fault.error.code ?? null, param: null, event_id: null },
      });
      if (fault.noDone) return;
    }
    const error =
      fault.kind === 'failed'
        ? fault.error
        : { type: fault.error.type, code: fault.error.code ?? 'error' };
    await this.#done('failed', { type: 'failed', error });
  }

  /** After a cancel: the open item ends incomplete, and the response is cancelled. */
  async #finishStopped(openItem: FakeItem | undefined): Promise<void> {
    if (this.#faulted) return;
    if (openItem) await this.#itemDone(openItem, 'incomplete');
    await this.#done('cancelled', { type: 'cancelled', reason: 'client_cancelled' });
  }

  async #done(status: string, details: Json | null = null): Promise<void> {
    this.#host.ended(this.id);
    await this.#host.send('response.done', { response: this.#resource(status, details) });
  }

  #resource(status: string, details: Json | null = null): Json {
    const audioMs = this.#output.reduce((sum, item) => sum + item.audioMs, 0);
    const textTokens = this.#output.reduce((sum, item) => sum + item.text.length, 0);
    return {
      id: this.id,
      object: 'realtime.response',
      status,
      status_details: details,
      output: this.#output.map((item) =>
        wireItem(item, status === 'completed' ? 'completed' : 'incomplete'),
      ),
      conversation_id: 'conv_fake',
      output_modalities: [this.#host.textOnly ? 'text' : 'audio'],
      metadata: this.#metadata,
      usage:
        status === 'in_progress'
          ? null
          : {
              total_tokens:
                this.#host.conversation.length * 10 + textTokens + Math.round(audioMs / 50),
              input_tokens: this.#host.conversation.length * 10,
              output_tokens: textTokens + Math.round(audioMs / 50),
              input_token_details: {
                text_tokens: this.#host.conversation.length * 10,
                audio_tokens: 0,
                cached_tokens: 0,
              },
              output_token_details: {
                text_tokens: textTokens,
                audio_tokens: Math.round(audioMs / 50),
              },
            },
    };
  }
}
