import type { AudioFrame } from '../audio/frame.js';
import type { Clock } from '../clock/clock.js';
import type { Scope } from '../core/scope.js';
import type { EventBus } from '../events/emitter.js';
import { describeFailure } from '../events/failure.js';
import type { RealtimeEvent, RealtimeModel, RealtimeSession } from '../models/realtime.js';

export interface RealtimeLinkDeps {
  readonly clock: Clock;
  readonly scope: Scope;
  readonly bus: EventBus;
  /** What the active model reports outside its responses (server turn detection, transcripts). */
  onEvent(event: RealtimeEvent): void;
}

/**
 * The session's connections to realtime models: one per model, opened when an agent that
 * speaks through it becomes active, closed with the session. The user's audio goes to the
 * active one; its failures outside a response become error events.
 */
export class RealtimeLink {
  readonly #d: RealtimeLinkDeps;
  readonly #sessions = new Map<RealtimeModel, RealtimeSession>();
  #active: { model: RealtimeModel; session: RealtimeSession } | undefined;

  constructor(deps: RealtimeLinkDeps) {
    this.#d = deps;
    deps.scope.defer(() => this.#closeAll());
  }

  get active(): { model: RealtimeModel; session: RealtimeSession } | undefined {
    return this.#active;
  }

  /** The model the active agent speaks through (undefined: a chat model or none). */
  activate(model: RealtimeModel | undefined): void {
    this.#active = model ? { model, session: this.sessionFor(model) } : undefined;
  }

  sessionFor(model: RealtimeModel): RealtimeSession {
    let session = this.#sessions.get(model);
    if (!session) {
      session = model.session({ clock: this.#d.clock, signal: this.#d.scope.signal });
      this.#sessions.set(model, session);
      session.onEvent((event) => this.#onEvent(model, event));
    }
    return session;
  }

  pushAudio(frame: AudioFrame): void {
    this.#active?.session.pushAudio(frame);
  }

  /** The user's turn ended (local turn detection): their audio becomes an item. */
  commitAudio(): Promise<string | undefined> {
    return this.#active?.session.commitAudio() ?? Promise.resolve(undefined);
  }

  /** Cuts the model's copy of `itemId` at what was heard; a failure is the model's to report. */
  truncate(session: RealtimeSession, itemId: string, audioEndMs: number): void {
    void this.#d.scope.spawn(`truncate ${itemId}`, () =>
      session.truncate(itemId, audioEndMs).catch(() => {}),
    );
  }

  #onEvent(model: RealtimeModel, event: RealtimeEvent): void {
    if (event.type === 'error') {
      const failure = describeFailure(event.error);
      this.#d.bus.emit('error', { ...failure, recoverable: true });
      return;
    }
    // Only the active model's reports steer the turn; another's are stale.
    if (this.#active?.model === model) this.#d.onEvent(event);
  }

  async #closeAll(): Promise<void> {
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    this.#active = undefined;
    await Promise.allSettled(sessions.map((s) => s.close()));
  }
}
