import type { Clock } from '../clock/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { EventBus } from '../events/emitter.js';
import type { ChatItem } from './chat-history.js';

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
 * The session's chat history; every addition is also a `history.added` event. A speech
 * step reserves its place when it starts (its text, then its tool calls), so the history
 * reads in the order the model produced things even when a tool finishes while the speech
 * still plays, or after the user has said something new.
 */
export class HistoryStore {
  readonly #regions: Region[] = [];
  readonly #byId = new Map<string, ChatItem>();
  #cache: ChatItem[] | undefined;
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #bus: EventBus;

  constructor(clock: Clock, ids: IdGenerator, bus: EventBus) {
    this.#clock = clock;
    this.#ids = ids;
    this.#bus = bus;
  }

  get items(): readonly ChatItem[] {
    this.#cache ??= this.#regions.flatMap((r) => r.items);
    return this.#cache;
  }

  find(itemId: string): ChatItem | undefined {
    return this.#byId.get(itemId);
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
        const i = this.#regions.indexOf(region);
        if (i >= 0 && region.items.length === 0) this.#regions.splice(i, 1);
      },
    };
  }

  #fill(region: Region, item: NewChatItem): ChatItem {
    const full = { ...item, id: this.#ids.next('item'), createdAt: this.#clock.now() } as ChatItem;
    region.items.push(full);
    this.#byId.set(full.id, full);
    this.#cache = undefined;
    this.#bus.emit('history.added', {
      itemId: full.id,
      kind: full.type,
      role: roleOf(full),
      text: textOf(full),
      interrupted: 'interrupted' in full ? full.interrupted : false,
    });
    return full;
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
