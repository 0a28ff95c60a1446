import type { Clock } from '../runtime/clock/clock.js';
import type { SessionEvent } from '../runtime/events/types.js';
import { countsFor } from './points.js';
import type { PointRef } from './schema-common.js';
import { describeAction, stepLengthMs, type UserAction, type UserStep } from './schema-user.js';
import type { StepRecord } from './types.js';

/**
 * Plays the `user:` timeline on the session clock. A step is scheduled as soon as the
 * moment it depends on is known: at once for `at`, when the previous step runs for
 * `next`, when the named step runs for `after: { step }`, when the nth matching event is
 * seen for `after: { event }`. Every step then runs from a clock timer, so a run depends
 * only on its script (contract C10).
 */

/** What steps do to the session; the runner binds these to the real session and fakes. */
export interface StepActions {
  /** The user starts speaking now, for `durationMs` (STT/VAD fakes take it from here). */
  speech(action: Extract<UserAction, { type: 'speech' }>): void;
  noise(action: Extract<UserAction, { type: 'noise' }>): void;
  /** `stepId`: the step's id, for a later `interrupt: { speech: <id> }`. */
  text(action: Extract<UserAction, { type: 'text' }>, stepId: string | null): void;
  interrupt(action: Extract<UserAction, { type: 'interrupt' }>): Promise<void>;
  say(action: Extract<UserAction, { type: 'say' }>, stepId: string | null): void;
  reply(action: Extract<UserAction, { type: 'reply' }>, stepId: string | null): void;
  close(action: Extract<UserAction, { type: 'close' }>): Promise<void>;
  /** Closes the session and starts a new one with a fresh agent (a hot reload). */
  reload(): Promise<void>;
}

interface EventWait {
  ref: Extract<PointRef, { kind: 'event' }>;
  offsetMs: number;
  /** Counting starts after this seq; null until the `since` step has run. */
  afterSeq: number | null;
  seen: number;
}

export class TimelineDriver {
  readonly records: StepRecord[];
  readonly #steps: readonly UserStep[];
  readonly #clock: Clock;
  readonly #actions: StepActions;
  /** Event-anchored steps not scheduled yet, by step index. */
  readonly #waits = new Map<number, EventWait>();
  /** The same waits once they count events (their `since` step ran), by event name. */
  readonly #armed = new Map<string, Map<number, EventWait>>();
  /** What a step's run releases: the steps anchored on it (`next`, `after: { step }`, `since`). */
  readonly #dependents = new Map<number, UserStep[]>();
  readonly #scheduled = new Set<number>();
  readonly #cancels: (() => void)[] = [];
  readonly #onStepRun: () => void;
  #lastSeq = -1;

  constructor(
    steps: readonly UserStep[],
    clock: Clock,
    actions: StepActions,
    onStepRun: () => void = () => {},
  ) {
    this.#steps = steps;
    this.#clock = clock;
    this.#actions = actions;
    this.#onStepRun = onStepRun;
    this.records = steps.map((s) => ({
      index: s.index,
      id: s.id,
      description: describeAction(s.action),
      startedAt: null,
      endedAt: null,
      seqBefore: -1,
      input: inputOf(s.action),
      error: null,
    }));
    const byId = new Map(steps.flatMap((s) => (s.id === null ? [] : [[s.id, s.index] as const])));
    const dependOn = (index: number | undefined, step: UserStep) => {
      if (index === undefined) return;
      const list = this.#dependents.get(index) ?? [];
      list.push(step);
      this.#dependents.set(index, list);
    };
    for (const s of steps) {
      const t = s.timing;
      if (t.kind === 'next' && s.index > 0) dependOn(s.index - 1, s);
      if (t.kind !== 'after') continue;
      if (t.ref.kind === 'step') dependOn(byId.get(t.ref.step), s);
      if (t.ref.kind !== 'event') continue;
      const since = t.ref.since;
      const wait: EventWait = { ref: t.ref, offsetMs: t.offsetMs, afterSeq: null, seen: 0 };
      this.#waits.set(s.index, wait);
      if (since === null) this.#arm(s.index, wait, -1);
      else dependOn(since === 'previous' ? s.index - 1 : byId.get(since), s);
    }
  }

  /** Schedules every step whose time is known up front. */
  start(): void {
    for (const s of this.#steps) {
      if (s.timing.kind === 'at') this.#schedule(s, s.timing.ms);
      else if (s.timing.kind === 'next' && s.index === 0) this.#schedule(s, this.#clock.now());
    }
  }

  /** Every session event, synchronously as it is emitted. */
  onEvent(e: SessionEvent): void {
    this.#lastSeq = e.seq;
    const armed = this.#armed.get(e.type);
    if (!armed) return;
    for (const [index, wait] of armed) {
      if (wait.afterSeq === null || !countsFor(wait.ref, e, wait.afterSeq)) continue;
      if (++wait.seen === wait.ref.nth) {
        this.#waits.delete(index);
        armed.delete(index);
        this.#schedule(this.#steps[index]!, e.t + wait.offsetMs);
      }
    }
  }

  /** From now on `wait` counts events after `afterSeq`. */
  #arm(index: number, wait: EventWait, afterSeq: number): void {
    wait.afterSeq = afterSeq;
    let byName = this.#armed.get(wait.ref.event);
    if (!byName) {
      byName = new Map();
      this.#armed.set(wait.ref.event, byName);
    }
    byName.set(index, wait);
  }

  get allRan(): boolean {
    return this.records.every((r) => r.startedAt !== null);
  }

  /** Steps scheduled on the clock that have not run yet. */
  get scheduledCount(): number {
    return this.#scheduled.size;
  }

  /** For steps that never ran: what they were waiting for. */
  explainPending(): string[] {
    return this.records
      .filter((r) => r.startedAt === null)
      .map((r) => `step ${r.index + 1} (${r.description}) never ran: ${this.#why(r.index)}`);
  }

  stop(): void {
    for (const cancel of this.#cancels) cancel();
  }

  #why(index: number): string {
    const step = this.#steps[index]!;
    if (this.#scheduled.has(index)) return 'its time was not reached before the run ended';
    const timing = step.timing;
    if (timing.kind === 'next') return `step ${index} before it never ran`;
    if (timing.kind !== 'after') return 'not scheduled';
    const ref = timing.ref;
    if (ref.kind === 'step') return `step ${ref.step} never ran`;
    if (ref.kind !== 'event') return 'not scheduled';
    const wait = this.#waits.get(index);
    if (wait?.afterSeq === null) return `its \`since\` step ${ref.since} never ran`;
    return `waiting for ${ref.event} #${ref.nth}, seen ${wait?.seen ?? 0}`;
  }

  #schedule(step: UserStep, atMs: number): void {
    if (this.#scheduled.has(step.index) || this.records[step.index]!.startedAt !== null) return;
    this.#scheduled.add(step.index);
    const delay = Math.max(0, atMs - this.#clock.now());
    this.#cancels.push(this.#clock.timer(delay, () => this.#run(step)));
  }

  #run(step: UserStep): void {
    this.#scheduled.delete(step.index);
    const now = this.#clock.now();
    const length = stepLengthMs(step.action);
    const record = this.records[step.index]!;
    record.startedAt = now;
    record.endedAt = now + length;
    record.seqBefore = this.#lastSeq;
    this.#perform(step.action, record);
    this.#release(step, now, length);
    this.#onStepRun();
  }

  #perform(action: UserAction, record: StepRecord): void {
    const fail = (err: unknown) => {
      record.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    };
    try {
      let pending: Promise<void> | undefined;
      switch (action.type) {
        case 'speech':
          this.#actions.speech(action);
          break;
        case 'noise':
          this.#actions.noise(action);
          break;
        case 'text':
          this.#actions.text(action, record.id);
          break;
        case 'interrupt':
          pending = this.#actions.interrupt(action);
          break;
        case 'say':
          this.#actions.say(action, record.id);
          break;
        case 'reply':
          this.#actions.reply(action, record.id);
          break;
        case 'close':
          pending = this.#actions.close(action);
          break;
        case 'reload':
          pending = this.#actions.reload();
          break;
        case 'wait':
          break;
      }
      pending?.catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  /** Schedules what was waiting for this step (only its dependents: linear in the script). */
  #release(step: UserStep, now: number, length: number): void {
    for (const s of this.#dependents.get(step.index) ?? []) {
      const t = s.timing;
      if (t.kind === 'next') this.#schedule(s, now + length);
      if (t.kind === 'after' && t.ref.kind === 'step') {
        this.#schedule(s, now + (t.ref.edge === 'start' ? 0 : length) + t.offsetMs);
      }
      const wait = this.#waits.get(s.index);
      if (wait && wait.afterSeq === null) this.#arm(s.index, wait, this.#lastSeq);
    }
  }
}

function inputOf(action: UserAction): string | null {
  if (action.type === 'speech') return action.transcript;
  if (action.type === 'text') return action.text;
  return null;
}
