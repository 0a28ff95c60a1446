import type { Clock } from '../clock/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { EventBus } from '../events/emitter.js';
import type { LLMMessage } from '../models/llm.js';
import { type ChatItem, LLMMessageFold } from './chat-history.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type NewChatItem = DistributiveOmit<ChatItem, 'id' | 'createdAt'>;

/** A place kept in the history for items only known later (a preamble, its tool calls). */
export interface HistorySlot {
  add(item: NewChatItem): ChatItem;
  /** No more items will come (an empty slot simply vanishes). */
  close(): void;
}

interface Region {
  readonly items: ChatItem[];
}

/**
 * The session's chat history; every addition is also a `history.added` event. Items stand
 * in the order they were created, not the order they became known: a speech step reserves
 * the place of its text when it is authorised to play (its words are only known once heard),
 * a function call takes its place when its tool starts and its output when the tool returns.
 */
export class HistoryStore {
  readonly #regions: Region[] = [];
  readonly #byId = new Map<string, ChatItem>();
  /** Every item in order, kept up to date as items arrive (a long session never rebuilds it). */
  readonly #flat: ChatItem[] = [];
  /** The public copy, made when asked for after a change. */
  #snapshot: readonly ChatItem[] | undefined;
  #version = 0;
  /** The first index changed other than by appending since the model's view last looked. */
  #changedFrom = Number.POSITIVE_INFINITY;
  readonly #view = new LLMMessageFold();
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #bus: EventBus;

  constructor(clock: Clock, ids: IdGenerator, bus: EventBus) {
    this.#clock = clock;
    this.#ids = ids;
    this.#bus = bus;
  }

  get items(): readonly ChatItem[] {
    this.#snapshot ??= this.#flat.slice();
    return this.#snapshot;
  }

  /**
   * The history as a chat model reads it (see toLLMMessages), kept up to date incrementally:
   * a long session does not fold its whole history for every request.
   */
  llmMessages(instructions: string): LLMMessage[] {
    const view = this.#view;
    if (this.#changedFrom < view.count) view.rewind(this.#changedFrom);
    this.#changedFrom = Number.POSITIVE_INFINITY;
    for (let i = view.count; i < this.#flat.length; i++) view.add(this.#flat[i]!);
    return view.messages(instructions);
  }

  /** Grows by one with every item added: a request built at version v is stale after it. */
  get version(): number {
    return this.#version;
  }

  find(itemId: string): ChatItem | undefined {
    return this.#byId.get(itemId);
  }

  /**
   * Completes a message known only later (a realtime user turn's transcript): the item keeps
   * its place; a `history.updated` event says so.
   */
  reviseText(itemId: string, text: string): void {
    const item = this.#byId.get(itemId);
    if (item?.type !== 'message') return;
    this.#replace(item, { ...item, text });
    this.#version++;
    this.#bus.emit('history.updated', { itemId, text });
  }

  #replace(item: ChatItem, revised: ChatItem): void {
    for (const region of this.#regions) {
      const i = region.items.indexOf(item);
      if (i >= 0) region.items[i] = revised;
    }
    const at = this.#flat.lastIndexOf(item);
    if (at >= 0) {
      this.#flat[at] = revised;
      this.#changedFrom = Math.min(this.#changedFrom, at);
    }
    this.#byId.set(item.id, revised);
    this.#snapshot = undefined;
  }

  /** Links a message to the realtime model's item for it (its committed audio). */
  linkRealtime(itemId: string, realtimeId: string): void {
    const item = this.#byId.get(itemId);
    if (item?.type !== 'message') return;
    this.#replace(item, { ...item, realtimeId });
  }

  add(item: NewChatItem): ChatItem {
    const region: Region = { items: [] };
    this.#regions.push(region);
    return this.#fill(region, item);
  }

  reserve(): HistorySlot {
    const region: Region = { items: [] };
    this.#regions.push(region);
    return {
      add: (item) => this.#fill(region, item),
      close: () => {
        if (region.items.length > 0) return;
        const i = this.#regions.lastIndexOf(region);
        if (i >= 0) this.#regions.splice(i, 1);
      },
    };
  }

  #fill(region: Region, item: NewChatItem): ChatItem {
    // Object.assign, not `{ ...item, id }`: on Node 20 a spread followed by more keys takes a
    // slow path (~1 µs), and every history item and every interruption passes here.
    const full = Object.assign({}, item, {
      id: this.#ids.next('item'),
      createdAt: this.#clock.now(),
    }) as ChatItem;
    region.items.push(full);
    const position = this.#insertInOrder(region, full);
    this.#byId.set(full.id, full);
    this.#snapshot = undefined;
    this.#version++;
    this.#bus.emit('history.added', {
      itemId: full.id,
      kind: full.type,
      role: roleOf(full),
      text: textOf(full),
      interrupted: 'interrupted' in full ? full.interrupted : false,
      position,
    });
    return full;
  }

  /** Puts `item` (just added to `region`) in the flat list, after everything before it; returns where. */
  #insertInOrder(region: Region, item: ChatItem): number {
    // Places are reserved near the end: count the items of the regions after this one.
    let after = 0;
    for (let i = this.#regions.length - 1; i >= 0; i--) {
      const r = this.#regions[i]!;
      if (r === region) break;
      after += r.items.length;
    }
    if (after === 0) {
      this.#flat.push(item);
      return this.#flat.length - 1;
    }
    const at = this.#flat.length - after;
    this.#flat.splice(at, 0, item);
    this.#changedFrom = Math.min(this.#changedFrom, at);
    return at;
  }
}

function roleOf(item: ChatItem): 'user' | 'assistant' | 'tool' | 'system' | 'handoff' {
  switch (item.type) {
    case 'message':
      return item.role;
    case 'function_call':
      return 'assistant';
    case 'function_call_output':
      return 'tool';
    case 'agent_handoff':
      return 'handoff';
  }
}

function textOf(item: ChatItem): string {
  switch (item.type) {
    case 'message':
      return item.text;
    case 'function_call':
      return `${item.name}(${item.arguments})`;
    case 'function_call_output':
      return item.output;
    case 'agent_handoff':
      return `${item.fromAgent ?? '-'} → ${item.toAgent}`;
  }
}
