import type { SessionEvent } from '../../src/index.js';
import { canTransition, type SpeechTransition } from '../../src/runtime/speech/speech-state.js';
import type { PlanRun } from './execute.js';
import { type Plan, SCRIPTED_LLM_FAILURE } from './plan.js';

/**
 * The invariants every fuzz run must keep. Each returns human-readable violations (empty
 * when the run is fine); `checkRun` collects them all.
 */

/** The UI's bounded event history (EventBus default). */
export const RECENT_EVENTS_LIMIT = 2000;

const TRANSITION_OF: Partial<Record<SessionEvent['type'], SpeechTransition>> = {
  'speech.queued': 'queue',
  'speech.generating': 'generate',
  'speech.playing': 'play',
  'speech.paused': 'pause',
  'speech.resumed': 'resume',
  'speech.awaiting_tools': 'await_tools',
  'speech.interrupted': 'interrupt',
};

type SpeechState = 'new' | Extract<SessionEvent, { type: 'speech.queued' }>['state'] | string;

/** Replays each handle's events through the transition table; one handle plays at a time. */
export function checkSpeechMachine(events: readonly SessionEvent[]): string[] {
  const out: string[] = [];
  const states = new Map<string, SpeechState>();
  let closedAt: number | undefined;
  for (const e of events) {
    if (e.type === 'session.closed') closedAt = e.seq;
    if (e.type === 'speech.created') {
      if (states.has(e.speechId)) out.push(`${e.speechId} created twice`);
      states.set(e.speechId, 'new');
      continue;
    }
    if (!('speechId' in e) || !e.speechId || !e.type.startsWith('speech.')) continue;
    const speechId = e.speechId;
    const state = states.get(speechId);
    if (state === undefined) {
      out.push(`#${e.seq} ${e.type} for ${e.speechId}, which was never created`);
      continue;
    }
    const transition: SpeechTransition | undefined =
      e.type === 'speech.done'
        ? e.reason === 'completed'
          ? 'complete'
          : e.reason === 'failed'
            ? 'fail'
            : 'finish_interrupted'
        : e.type === 'speech.resumed' && e.state === 'generating'
          ? 'unhold'
          : TRANSITION_OF[e.type];
    if (!transition) {
      // speech.text / speech.segment: only while the handle is live.
      if (state === 'done') out.push(`#${e.seq} ${e.type} for ${e.speechId} after it was done`);
      continue;
    }
    if (!canTransition(state as never, transition)) {
      out.push(`#${e.seq} ${e.speechId}: illegal ${transition} from ${state}`);
    }
    const next = 'state' in e ? String(e.state) : state;
    states.set(speechId, next);
    const audible = [...states].filter(([, s]) => s === 'playing' || s === 'paused');
    if (audible.length > 1) {
      out.push(
        `#${e.seq} several handles hold the output: ${audible.map(([id]) => id).join(', ')}`,
      );
    }
  }
  for (const [id, state] of states) {
    if (state !== 'done') out.push(`${id} never reached done (last state ${state})`);
  }
  if (closedAt !== undefined) {
    const late = events.filter((e) => e.type === 'speech.done' && e.seq > closedAt!);
    for (const e of late) out.push(`#${e.seq} speech.done after session.closed`);
  }
  return out;
}

/** Every handle ends completed or interrupted; failed only with a scripted model failure. */
export function checkSpeechEnds(events: readonly SessionEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.type !== 'speech.done' || e.reason !== 'failed') continue;
    if (!e.error?.includes(SCRIPTED_LLM_FAILURE)) {
      out.push(`${e.speechId} failed without a scripted model failure: ${e.error}`);
    }
  }
  return out;
}

/** Every accepted user input becomes exactly one user turn (C6); turns come from inputs. */
export function checkInputs(plan: Plan, run: PlanRun): string[] {
  const out: string[] = [];
  const events = run.events;
  const turns = events.filter((e) => e.type === 'user.turn');
  const closingAt = events.find((e) => e.type === 'session.closing')?.t ?? Infinity;
  // Noise keeps the user "speaking" too, which postpones the end of a turn.
  const speechEnds = plan.steps.flatMap((s) =>
    s.kind === 'speech'
      ? [s.at + s.durationMs + s.sttDelayMs]
      : s.kind === 'noise'
        ? [s.at + s.durationMs]
        : [],
  );
  const lastSpeech = Math.max(0, ...speechEnds);
  // All speech ended (with margin for the endpointing delay) before close began.
  const speechSettled = lastSpeech + plan.session.minEndpointingMs + 100 < closingAt;
  plan.steps.forEach((step, i) => {
    const ran = run.steps[i]?.startedAt;
    if (ran === null || ran === undefined || ran >= closingAt) return;
    if (step.kind === 'text' || (step.kind === 'reply' && step.userInput !== null)) {
      const text = step.kind === 'text' ? step.text : step.userInput!;
      const source = step.kind === 'text' ? step.source : 'api';
      const found = turns.filter((t) => t.text === text && t.source === source);
      if (found.length !== 1) {
        out.push(`input "${text}" (step ${i + 1}) became ${found.length} user turns (C6)`);
      }
    } else if (step.kind === 'speech') {
      const token = step.text.split(' ')[0]!;
      const found = turns.filter((t) => t.source === 'speech' && t.text.includes(token));
      if (found.length > 1 || (found.length === 0 && speechSettled)) {
        out.push(`speech "${step.text}" (step ${i + 1}) became ${found.length} user turns (C6)`);
      }
    }
  });
  for (const t of turns) {
    if (!/u\d+_/.test(t.text)) out.push(`user turn ${t.turnId} "${t.text}" has no input behind it`);
  }
  return out;
}

/** Tasks: every start has one end; every await made by plan code settled. */
export function checkTasks(run: PlanRun): string[] {
  const out: string[] = [];
  const ends = new Map<string, number>();
  for (const e of run.events) {
    if (e.type === 'task.completed' || e.type === 'task.failed' || e.type === 'task.cancelled') {
      ends.set(e.taskId, (ends.get(e.taskId) ?? 0) + 1);
    }
  }
  for (const e of run.events) {
    if (e.type !== 'task.started') continue;
    const n = ends.get(e.taskId) ?? 0;
    if (n !== 1) out.push(`${e.taskId} (${e.name}) started and ended ${n} times`);
  }
  for (const a of run.awaits) {
    if (a.state === 'pending') out.push(`${a.what}: the await never settled (C3/C8)`);
  }
  return out;
}

/** The run ended, closed, without deadlock, rejection or runtime bug. */
export function checkLifecycle(plan: Plan, run: PlanRun): string[] {
  const out: string[] = [...run.violations, ...run.uncaught.map((u) => `uncaught: ${u}`)];
  out.push(...run.runnerErrors.map((e) => `runner: ${e}`));
  const closes = plan.steps.some((s) => s.kind === 'close');
  const okEnd = closes ? ['closed', 'idle'] : ['idle'];
  const deadlocked = run.events.some((e) => e.type === 'deadlock');
  if (run.endReason === 'quiescent' && !deadlocked) {
    out.push(
      `the clock went quiet at ${run.virtualMs} ms but waitForIdle() never resolved, and no deadlock was reported`,
    );
  } else if (!okEnd.includes(run.endReason) && !deadlocked) {
    out.push(`the run ended "${run.endReason}" at ${run.virtualMs} ms, not idle (C10)`);
  }
  for (const e of run.events) {
    if (e.type === 'deadlock') out.push(`deadlock event at ${e.t} ms: ${e.description}`);
    if (e.type === 'error' && (e.code === 'runtime_bug' || e.code === 'hook_failed')) {
      out.push(`error event ${e.code}: ${e.message.split('\n')[0]}`);
    }
  }
  const closed = run.events.filter((e) => e.type === 'session.closed');
  if (closed.length !== 1) out.push(`session.closed emitted ${closed.length} times (C8)`);
  else if (run.events.at(-1)?.type !== 'session.closed') {
    out.push(`events after session.closed: ${run.events.at(-1)?.type}`);
  }
  if (run.recentEvents > RECENT_EVENTS_LIMIT) {
    out.push(`recentEvents() holds ${run.recentEvents} > ${RECENT_EVENTS_LIMIT}`);
  }
  return out;
}

export function checkRun(plan: Plan, run: PlanRun): string[] {
  return [
    ...checkLifecycle(plan, run),
    ...checkSpeechMachine(run.events),
    ...checkSpeechEnds(run.events),
    ...checkInputs(plan, run),
    ...checkTasks(run),
  ];
}
