import type { Clock } from '../clock/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { EventBus } from '../events/emitter.js';
import type { ChatItem } from './chat-history.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type NewChatItem = DistributiveOmit<ChatItem, 'id' | 'createdAt'>;

/** The session's chat history; every addition is also a `history.added` event. */
export class HistoryStore {
  readonly #items: ChatItem[] = [];
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #bus: EventBus;

  constructor(clock: Clock, ids: IdGenerator, bus: EventBus) {
    this.#clock = clock;
    this.#ids = ids;
    this.#bus = bus;
  }

  get items(): readonly ChatItem[] {
    return this.#items;
  }

  add(item: NewChatItem): ChatItem {
    const full = { ...item, id: this.#ids.next('item'), createdAt: this.#clock.now() } as ChatItem;
    this.#items.push(full);
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
