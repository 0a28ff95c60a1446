import type { SessionEvent } from '../events/types.js';
import type { ChatItem } from '../history/chat-history.js';

/** A conversation item produced during `session.run()`, as in LiveKit's RunResult. */
export type RunEvent = ChatItem;

export class RunAssertionError extends Error {
  override readonly name = 'RunAssertionError';
}

type MessageMatch = { role?: 'user' | 'assistant' | 'system'; text?: string | RegExp };
type CallMatch = { name?: string; arguments?: Record<string, unknown> };
type OutputMatch = { output?: string | RegExp; isError?: boolean };
type HandoffMatch = { newAgent?: string };

function textMatches(actual: string, expected: string | RegExp | undefined): boolean {
  if (expected === undefined) return true;
  return typeof expected === 'string' ? actual.includes(expected) : expected.test(actual);
}

function describe(item: RunEvent | undefined): string {
  if (!item) return 'nothing';
  switch (item.type) {
    case 'message':
      return `${item.role} message "${item.text}"`;
    case 'function_call':
      return `function call ${item.name}(${item.arguments})`;
    case 'function_call_output':
      return `function output "${item.output}"${item.isError ? ' (error)' : ''}`;
    case 'agent_handoff':
      return `handoff ${item.fromAgent ?? '-'} → ${item.toAgent}`;
  }
}

/** Assertion on one event of a run (LiveKit's `expect.nextEvent().isMessage(...)` style). */
export class EventAssert {
  readonly #item: RunEvent | undefined;
  readonly #index: number;

  constructor(item: RunEvent | undefined, index: number) {
    this.#item = item;
    this.#index = index;
  }

  get event(): RunEvent {
    if (!this.#item) throw new RunAssertionError(`no event at index ${this.#index}`);
    return this.#item;
  }

  isMessage(match: MessageMatch = {}): Extract<RunEvent, { type: 'message' }> {
    const item = this.#item;
    if (
      item?.type === 'message' &&
      (!match.role || item.role === match.role) &&
      textMatches(item.text, match.text)
    ) {
      return item;
    }
    return this.#fail(
      `a ${match.role ?? ''} message${match.text ? ` matching ${String(match.text)}` : ''}`,
    );
  }

  isFunctionCall(match: CallMatch = {}): Extract<RunEvent, { type: 'function_call' }> {
    const item = this.#item;
    if (item?.type === 'function_call' && (!match.name || item.name === match.name)) {
      if (!match.arguments) return item;
      const args = JSON.parse(item.arguments || '{}') as Record<string, unknown>;
      if (
        Object.entries(match.arguments).every(
          ([k, v]) => JSON.stringify(args[k]) === JSON.stringify(v),
        )
      ) {
        return item;
      }
    }
    return this.#fail(`a function call${match.name ? ` to ${match.name}` : ''}`);
  }

  isFunctionCallOutput(
    match: OutputMatch = {},
  ): Extract<RunEvent, { type: 'function_call_output' }> {
    const item = this.#item;
    if (
      item?.type === 'function_call_output' &&
      textMatches(item.output, match.output) &&
      (match.isError === undefined || item.isError === match.isError)
    ) {
      return item;
    }
    return this.#fail('a function call output');
  }

  isAgentHandoff(match: HandoffMatch = {}): Extract<RunEvent, { type: 'agent_handoff' }> {
    const item = this.#item;
    if (item?.type === 'agent_handoff' && (!match.newAgent || item.toAgent === match.newAgent))
      return item;
    return this.#fail(`a handoff${match.newAgent ? ` to ${match.newAgent}` : ''}`);
  }

  #fail(expected: string): never {
    throw new RunAssertionError(
      `expected ${expected} at event ${this.#index}, got ${describe(this.#item)}`,
    );
  }
}

/** Walks a run's events in order. */
export class RunExpect {
  readonly #events: readonly RunEvent[];
  #cursor = 0;

  constructor(events: readonly RunEvent[]) {
    this.#events = events;
  }

  nextEvent(): EventAssert {
    const index = this.#cursor++;
    return new EventAssert(this.#events[index], index);
  }

  skipNext(count = 1): this {
    this.#cursor += count;
    return this;
  }

  at(index: number): EventAssert {
    return new EventAssert(this.#events.at(index), index);
  }

  noMoreEvents(): void {
    if (this.#cursor < this.#events.length) {
      throw new RunAssertionError(
        `expected no more events, got ${describe(this.#events[this.#cursor])} at ${this.#cursor}`,
      );
    }
  }

  containsFunctionCall(match: CallMatch = {}): Extract<RunEvent, { type: 'function_call' }> {
    return this.#find(
      (i) => new EventAssert(i, 0).isFunctionCall(match),
      `a function call ${match.name ?? ''}`,
    );
  }

  containsMessage(match: MessageMatch = {}): Extract<RunEvent, { type: 'message' }> {
    return this.#find((i) => new EventAssert(i, 0).isMessage(match), 'a matching message');
  }

  #find<T>(probe: (item: RunEvent) => T, expected: string): T {
    for (const item of this.#events) {
      try {
        return probe(item);
      } catch {
        // keep looking
      }
    }
    throw new RunAssertionError(`expected ${expected} among ${this.#events.length} events`);
  }
}

/** What `session.run()` returns: the conversation items and every session event of the run. */
export class RunResult {
  readonly events: readonly RunEvent[];
  readonly sessionEvents: readonly SessionEvent[];
  /** A cursor over the run's events: `result.expect.nextEvent().isMessage(...)`. */
  readonly expect: RunExpect;

  constructor(events: readonly RunEvent[], sessionEvents: readonly SessionEvent[]) {
    this.events = events;
    this.sessionEvents = sessionEvents;
    this.expect = new RunExpect(events);
  }
}

/**
 * The items a run added, in history order; a tool that started before the run and finished
 * during it is listed as its call right before its output (as LiveKit's RunResult does).
 */
export function runItems(
  history: readonly ChatItem[],
  events: readonly SessionEvent[],
): ChatItem[] {
  const added = new Set(events.flatMap((e) => (e.type === 'history.added' ? [e.itemId] : [])));
  const calls = new Map<string, ChatItem>();
  const items: ChatItem[] = [];
  for (const item of history) {
    if (item.type === 'function_call') calls.set(item.callId, item);
    if (!added.has(item.id)) continue;
    if (item.type === 'function_call_output') {
      const call = calls.get(item.callId);
      if (call && !added.has(call.id)) items.push(call);
    }
    items.push(item);
  }
  return items;
}
