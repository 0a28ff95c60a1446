import type { ConversationItem } from 'openai/resources/realtime/realtime';
import type { RealtimeItem } from '../../src/runtime/models/realtime.js';
import { hasContent, toConversationItem } from './realtime-protocol.js';

/** What the client knows of one item of the server's conversation. */
export interface RemoteItem {
  readonly id: string;
  readonly kind: ConversationItem['type'];
  readonly role: 'user' | 'assistant' | 'system' | undefined;
  /** For a copy we created: what we sent (so an edit of the history is noticed). */
  readonly sent?: string;
  /** An assistant text reply exactly as the server holds it (text output only). */
  text?: string;
  /** Audio the server streamed for this item, in 24 kHz samples. */
  audioSamples: number;
  truncated: boolean;
}

/** What makes the server's conversation match a request. */
export interface SyncPlan {
  readonly deletes: readonly string[];
  readonly creates: ReadonlyArray<{
    readonly item: ConversationItem;
    readonly previousItemId?: string;
  }>;
}

/**
 * The client's mirror of one connection's conversation: filled from the server's
 * `conversation.item.added/done/deleted/truncated` events, and updated at once when this
 * side creates or deletes items (so two quick requests never create the same item twice).
 */
export class RemoteConversation {
  readonly #order: string[] = [];
  readonly #items = new Map<string, RemoteItem>();
  /** Ids the server named (speech stopped, audio committed) before adding the item. */
  readonly #announced = new Set<string>();
  /** voxagent item id → the id of the copy created for it. */
  readonly #copies = new Map<string, string>();
  readonly #newId: () => string;

  constructor(newId: () => string) {
    this.#newId = newId;
  }

  get ids(): readonly string[] {
    return this.#order;
  }

  get(id: string): RemoteItem | undefined {
    return this.#items.get(id);
  }

  announced(id: string): void {
    if (!this.#items.has(id)) this.#announced.add(id);
  }

  /** `conversation.item.added`: placed after its predecessor, as the server placed it. */
  added(item: ConversationItem, previousItemId: string | null | undefined): void {
    const id = item.id;
    if (!id || this.#items.has(id)) return;
    this.#announced.delete(id);
    const role = item.type === 'message' ? item.role : undefined;
    this.#insert({ id, kind: item.type, role, audioSamples: 0, truncated: false }, previousItemId);
  }

  /** `conversation.item.done`: a text reply's final text is known. */
  done(item: ConversationItem): void {
    const remote = item.id ? this.#items.get(item.id) : undefined;
    if (!remote || item.type !== 'message' || item.role !== 'assistant') return;
    const parts = item.content ?? [];
    if (parts.length > 0 && parts.every((part) => part.type === 'output_text')) {
      remote.text = parts.map((part) => part.text ?? '').join('');
    }
  }

  deleted(id: string): void {
    this.#announced.delete(id);
    if (!this.#items.delete(id)) return;
    this.#order.splice(this.#order.indexOf(id), 1);
  }

  audio(itemId: string, samples: number): void {
    const item = this.#items.get(itemId);
    if (item) item.audioSamples += samples;
  }

  truncated(itemId: string): void {
    const item = this.#items.get(itemId);
    if (item) item.truncated = true;
  }

  /**
   * What to delete and create so the server holds `items`, applied to the mirror at once.
   * Items the server has and `items` lacks are deleted; items it lacks are created (copies
   * of the history's text) right after their predecessor; empty messages are skipped.
   */
  plan(items: readonly RealtimeItem[]): SyncPlan {
    const present = items.map((item) => this.#presentId(item));
    const keep = new Set(present.filter((id): id is string => id !== undefined));
    const deletes = this.#order.filter((id) => !keep.has(id));
    for (const id of deletes) this.deleted(id);
    const creates: Array<{ item: ConversationItem; previousItemId?: string }> = [];
    let previous: string | undefined;
    items.forEach((item, index) => {
      const id = present[index];
      if (id !== undefined) {
        previous = id;
        return;
      }
      if (!hasContent(item)) return;
      const copyId = this.#newId();
      const wire = toConversationItem(item, copyId);
      // Appending needs no anchor; an anchor is only needed to insert before kept items.
      const inserts = present.slice(index + 1).some((later) => later !== undefined);
      const anchor = inserts ? (previous ?? 'root') : undefined;
      creates.push(anchor === undefined ? { item: wire } : { item: wire, previousItemId: anchor });
      this.#insert(
        {
          id: copyId,
          kind: wire.type,
          role: item.type === 'message' ? item.role : undefined,
          sent: fingerprint(item),
          audioSamples: 0,
          truncated: false,
        },
        anchor === 'root' ? null : anchor,
      );
      this.#copies.set(item.id, copyId);
      previous = copyId;
    });
    return { deletes, creates };
  }

  /** The server id under which the server holds `item` as it is now, if it does. */
  #presentId(item: RealtimeItem): string | undefined {
    const own = item.realtimeId;
    if (own !== undefined) {
      if (this.#announced.has(own)) return own;
      const remote = this.#items.get(own);
      if (remote && !edited(remote, item)) return own;
    }
    const copy = this.#copies.get(item.id);
    if (copy !== undefined && this.#items.get(copy)?.sent === fingerprint(item)) return copy;
    return undefined;
  }

  #insert(item: RemoteItem, previousItemId: string | null | undefined): void {
    this.#items.set(item.id, item);
    if (previousItemId === null) {
      this.#order.unshift(item.id);
      return;
    }
    const at = previousItemId === undefined ? -1 : this.#order.indexOf(previousItemId);
    if (at < 0) this.#order.push(item.id);
    else this.#order.splice(at + 1, 0, item.id);
  }
}

function fingerprint(item: RealtimeItem): string {
  return JSON.stringify(toConversationItem(item, ''));
}

/** A text reply whose text the history changed (cut after an interruption, edited). */
function edited(remote: RemoteItem, item: RealtimeItem): boolean {
  if (remote.text === undefined || remote.truncated || item.type !== 'message') return false;
  return normalize(remote.text) !== normalize(item.text);
}

function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
