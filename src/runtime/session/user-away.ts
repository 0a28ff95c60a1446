import type { Clock } from '../clock/clock.js';
import type { EventBus } from '../events/emitter.js';
import type { SessionEvent } from '../events/types.js';

/** Events that count as activity: any of them restarts the away window. */
const ACTIVITY = new Set<SessionEvent['type']>([
  'agent.state',
  'user.state',
  'user.speech_started',
  'user.transcript',
  'user.turn',
  'tool.started',
  'tool.updated',
  'tool.finished',
]);

/**
 * LiveKit's user-away timer: after `timeoutMs` with both sides listening and nothing in
 * flight (no tool running, not even in the background), the user state becomes `away`.
 * Any activity restarts the window in full; nothing fires after the session closes.
 */
export class UserAway {
  readonly #clock: Clock;
  readonly #bus: EventBus;
  readonly #timeoutMs: number;
  readonly #quiet: () => boolean;
  #cancel: (() => void) | undefined;
  #away = false;
  #stopped = false;

  constructor(deps: { clock: Clock; bus: EventBus; timeoutMs: number; quiet: () => boolean }) {
    this.#clock = deps.clock;
    this.#bus = deps.bus;
    this.#timeoutMs = deps.timeoutMs;
    this.#quiet = deps.quiet;
  }

  /** An event happened: activity restarts the window; any change may open or close it. */
  observe(event: SessionEvent): void {
    if (this.#stopped) return;
    if (event.type === 'user.state' && event.state === 'away') return;
    if (!ACTIVITY.has(event.type)) return;
    if (event.type === 'user.state' && event.state === 'speaking') this.#away = false;
    if (event.type === 'user.turn' && this.#away) {
      // A typed turn: the user is back.
      this.#away = false;
      this.#bus.emit('user.state', { state: 'listening' });
    }
    this.#rearm();
  }

  /** Nothing else will happen: cancel the window (called when the session closes). */
  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = undefined;
  }

  #rearm(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    if (this.#away || !this.#quiet()) return;
    this.#cancel = this.#clock.timer(this.#timeoutMs, () => {
      this.#cancel = undefined;
      if (this.#stopped || !this.#quiet()) return;
      this.#away = true;
      this.#bus.emit('user.state', { state: 'away' });
    });
  }
}
