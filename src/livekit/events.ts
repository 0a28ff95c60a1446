/** What a room connection reports, as one typed event map (facts, named in the past tense). */
import type { RoomConnectError } from './errors.js';

export type RoomState = 'connected' | 'reconnecting' | 'disconnected';

export interface RoomParticipant {
  readonly identity: string;
  readonly name: string;
}

export interface RoomEventMap {
  /** The connection changed state; `disconnected` is final and says why. */
  state: {
    state: RoomState;
    /** e.g. `reconnect_timeout`, `SERVER_SHUTDOWN`, `closed` (for `disconnected`). */
    reason: string | null;
    /** A one-line error when the connection was lost rather than closed by us. */
    error: RoomConnectError | null;
  };
  participantJoined: RoomParticipant;
  participantLeft: RoomParticipant & { reason: string };
  /** The participant whose microphone is the input changed (null: nobody for now). */
  linked: { identity: string | null; trackSid: string | null };
  trackMuted: { identity: string; trackSid: string; source: string; muted: boolean };
  /** Text a participant sent on `lk.chat` (what LiveKit's clients send from a chat box). */
  text: { identity: string; text: string; topic: string };
}

export type RoomEventName = keyof RoomEventMap;
type Listener<K extends RoomEventName> = (event: RoomEventMap[K]) => void;

/** A minimal typed emitter: `on()` returns the unsubscribe; a throwing listener is logged. */
export class RoomEvents {
  readonly #listeners = new Map<RoomEventName, Set<(e: never) => void>>();
  readonly #onError: (err: unknown) => void;

  constructor(onError: (err: unknown) => void) {
    this.#onError = onError;
  }

  on<K extends RoomEventName>(name: K, fn: Listener<K>): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(fn);
    return () => set.delete(fn);
  }

  emit<K extends RoomEventName>(name: K, event: RoomEventMap[K]): void {
    for (const fn of [...(this.#listeners.get(name) ?? [])]) {
      try {
        (fn as Listener<K>)(event);
      } catch (err) {
        this.#onError(err);
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
