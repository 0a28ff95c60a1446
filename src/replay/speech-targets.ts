import { z } from 'zod';
import type { SessionEvent, SessionEventName } from '../runtime/events/types.js';
import type { AgentSession } from '../runtime/session/session.js';
import type { SpeechHandle } from '../runtime/speech/speech-handle.js';
import { LIMITS } from './limits.js';
import { describeWhere, fieldValue, type Where, whereMatches } from './matchers.js';
import { boundedInt, eventName, refId, where } from './schema-common.js';
import type { UserStep } from './schema-user.js';

/**
 * `interrupt: { speech: … }`: a step that interrupts one speech handle, queued or playing,
 * through the handle (`handle.interrupt({ force })`) instead of `session.interrupt()`.
 * The handle is named by the step that made it (a say, reply or text step), `current`, or
 * the nth event of a speech (`{ event: speech.created, nth: 2, where: { source: say } }`).
 */

export type SpeechTarget =
  | { kind: 'current' }
  | { kind: 'step'; step: string }
  | { kind: 'event'; event: SessionEventName; nth: number; where: Where | undefined };

/** Events whose payload names a speech (`speechId`). */
const SPEECH_EVENTS = new Set<string>([
  'speech.created',
  'speech.queued',
  'speech.generating',
  'speech.playing',
  'speech.paused',
  'speech.resumed',
  'speech.awaiting_tools',
  'speech.interrupted',
  'speech.done',
  'speech.text',
  'speech.segment',
  'user.false_interruption',
  'tool.started',
  'tool.updated',
  'tool.finished',
  'preemptive.used',
  'metrics.llm',
  'metrics.tts',
]);

export const speechTarget = z
  .union(
    [
      refId,
      z.strictObject({
        event: eventName,
        nth: boundedInt(1, LIMITS.nth).optional(),
        where: where.optional(),
      }),
    ],
    { error: 'expected a step id, `current`, or { event, nth, where }' },
  )
  .transform((raw, ctx): SpeechTarget => {
    if (typeof raw === 'string') {
      return raw === 'current' ? { kind: 'current' } : { kind: 'step', step: raw };
    }
    if (!SPEECH_EVENTS.has(raw.event)) {
      ctx.issues.push({
        code: 'custom',
        message: `${raw.event} does not name a speech; use one of ${[...SPEECH_EVENTS].join(', ')}`,
        path: ['event'],
        input: raw,
      });
      return z.NEVER;
    }
    return { kind: 'event', event: raw.event, nth: raw.nth ?? 1, where: raw.where };
  });

export function describeTarget(target: SpeechTarget): string {
  switch (target.kind) {
    case 'current':
      return 'the current speech';
    case 'step':
      return `the speech of step ${target.step}`;
    case 'event':
      return `the speech of ${target.event}${describeWhere(target.where)}${target.nth === 1 ? '' : ` #${target.nth}`}`;
  }
}

/** A step target must name an earlier say, reply or text step (the ones that make a handle). */
export function speechTargetIssues(
  steps: readonly UserStep[],
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const makers = new Map<string, boolean>();
  for (const step of steps) {
    const a = step.action;
    if (a.type === 'interrupt' && a.target?.kind === 'step') {
      const makes = makers.get(a.target.step);
      if (makes === undefined) {
        issues.push({
          path: ['user', step.index, 'interrupt', 'speech'],
          message: `"${a.target.step}" is not the id of an earlier step`,
        });
      } else if (!makes) {
        issues.push({
          path: ['user', step.index, 'interrupt', 'speech'],
          message: `step "${a.target.step}" makes no speech (only say, reply and text steps do)`,
        });
      }
    }
    if (step.id !== null) makers.set(step.id, ['say', 'reply', 'text'].includes(a.type));
  }
  return issues;
}

/**
 * The handles a replay can reach: those its steps made (by step id) and the session's live
 * speech (`session.speechQueue`).
 */
export class SpeechTargets {
  readonly #byStep = new Map<string, SpeechHandle>();
  readonly #events: () => readonly SessionEvent[];

  constructor(events: () => readonly SessionEvent[]) {
    this.#events = events;
  }

  remember(stepId: string | null, handle: SpeechHandle): void {
    if (stepId !== null) this.#byStep.set(stepId, handle);
  }

  /** The handle, or null when it is already done (nothing left to interrupt). */
  resolve(target: SpeechTarget, session: AgentSession): SpeechHandle | null {
    switch (target.kind) {
      case 'current':
        return session.currentSpeech ?? null;
      case 'step': {
        const handle = this.#byStep.get(target.step);
        if (!handle) throw new Error(`step ${target.step} made no speech handle`);
        return handle;
      }
      case 'event': {
        const id = this.#speechIdOf(target);
        return session.speechQueue.find((h) => h.id === id) ?? null;
      }
    }
  }

  #speechIdOf(target: Extract<SpeechTarget, { kind: 'event' }>): string {
    let n = 0;
    for (const e of this.#events()) {
      if (e.type !== target.event || !whereMatches(target.where, e)) continue;
      if (++n === target.nth) return String(fieldValue(e, 'speechId'));
    }
    throw new Error(
      `${describeTarget(target)}: ${n === 0 ? 'no such event has happened' : `only ${n} such event(s) so far`}`,
    );
  }
}
