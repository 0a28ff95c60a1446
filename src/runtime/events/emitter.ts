import type { Clock } from '../clock/clock.js';
import { outsideActors } from '../core/actor.js';
import { Channel } from '../core/channel.js';
import type { EventOf, SessionEvent, SessionEventMap, SessionEventName } from './types.js';

export interface Disposable {
  dispose(): void;
}

type AnyListener = (event: SessionEvent) => void;

/**
 * The session's single event stream. Every event is stamped with the clock and a sequence
 * number here, so order and time mean the same thing for every subscriber. Listeners run
 * synchronously; a throwing listener is isolated so it cannot break the runtime.
 */
export class EventBus {
  readonly #clock: Clock;
  readonly #listeners = new Set<AnyListener>();
  readonly #recent: SessionEvent[] = [];
  readonly #recentLimit: number;
  readonly #streams = new Set<Channel<SessionEvent>>();
  #seq = 0;
  #ended = false;
  /** Events emitted by a listener wait until the current one reached every listener. */
  readonly #pending: SessionEvent[] = [];
  #dispatching = false;

  constructor(clock: Clock, options: { recentLimit?: number } = {}) {
    this.#clock = clock;
    this.#recentLimit = options.recentLimit ?? 2000;
  }

  /** Number of events emitted so far. */
  get count(): number {
    return this.#seq;
  }

  emit<K extends SessionEventName>(type: K, payload: SessionEventMap[K]): EventOf<K> {
    const t = roundTime(this.#clock.now());
    // session.closed is the last event: work that outlived close() (a tool that ignored its
    // abort signal) finishes silently.
    if (this.#ended) return { type, t, seq: -1, ...payload } as unknown as EventOf<K>;
    const event = { type, t, seq: this.#seq++, ...payload } as unknown as EventOf<K>;
    this.#recent.push(event);
    // Bounded: the UI and late subscribers need recent history, not all of it.
    if (this.#recent.length > this.#recentLimit) this.#recent.shift();
    this.#pending.push(event);
    if (!this.#dispatching) this.#dispatch();
    return event;
  }

  #dispatch(): void {
    this.#dispatching = true;
    try {
      for (let event = this.#pending.shift(); event; event = this.#pending.shift()) {
        for (const listener of [...this.#listeners]) {
          try {
            outsideActors(() => listener(event));
          } catch {
            // A broken subscriber must not break the session; it only loses its own update.
          }
        }
        for (const stream of this.#streams) stream.push(event);
      }
    } finally {
      this.#dispatching = false;
    }
  }

  /** The most recent events (bounded), oldest first. */
  recent(): readonly SessionEvent[] {
    return this.#recent;
  }

  onAny(listener: AnyListener, options: { signal?: AbortSignal } = {}): Disposable {
    this.#listeners.add(listener);
    const dispose = () => {
      this.#listeners.delete(listener);
      options.signal?.removeEventListener('abort', dispose);
    };
    options.signal?.addEventListener('abort', dispose, { once: true });
    return { dispose };
  }

  on<K extends SessionEventName>(
    type: K,
    listener: (event: EventOf<K>) => void,
    options: { signal?: AbortSignal } = {},
  ): Disposable {
    return this.onAny((event) => {
      if (event.type === type) listener(event as EventOf<K>);
    }, options);
  }

  /** An async iterator over events from now on; it ends when the session closes. */
  stream(options: { signal?: AbortSignal } = {}): AsyncIterable<SessionEvent> {
    const channel = new Channel<SessionEvent>();
    if (this.#ended) channel.close();
    this.#streams.add(channel);
    const stop = () => {
      this.#streams.delete(channel);
      channel.close();
    };
    options.signal?.addEventListener('abort', stop, { once: true });
    return channel;
  }

  /** Ends every iterator (called once the session has closed). */
  end(): void {
    this.#ended = true;
    for (const stream of this.#streams) stream.close();
    this.#streams.clear();
  }
}

/** Microsecond precision keeps real-clock timestamps readable and virtual ones exact. */
function roundTime(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
