import type { EventOf, SessionEvent } from '../runtime/events/types.js';
import { formatDuration } from './duration.js';

/** The parts of a recording that come from the event stream alone. */

const REGEX_LITERAL = /^\/.+\/[dgimsuvy]*$/s;

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A value a session file reads back as exactly this text (not as a /regex/). */
export function literal(text: string): string {
  return REGEX_LITERAL.test(text) ? `/^${escapeRegex(text)}$/` : text;
}

interface Segment {
  start: number;
  end: number | null;
  finals: string[];
  finalAt: number | null;
}

type Step = Record<string, unknown> & { at: number };

/** Who asked for a speech or an interrupt from outside the agent: a step of the file. */
const FROM_OUTSIDE = new Set(['api', 'console']);

/**
 * User speech (VAD segments + final transcripts), typed input, `say()`, `generateReply()`
 * and `interrupt()` made from outside the agent (the API, the console's `s` and `i`), hot
 * reloads and the close. What the agent's own code does (its say(), its interrupts) is not
 * a step: replaying its code does it again.
 */
export function userStepsFromEvents(
  events: readonly SessionEvent[],
  startT: number,
): Record<string, unknown>[] {
  const steps = new StepCollector();
  for (const e of events) steps.add(e);
  return steps.finish(startT);
}

/** Collects the steps of a recording, event by event. */
class StepCollector {
  readonly #segments: Segment[] = [];
  readonly #steps: Step[] = [];
  #open: Segment | null = null;
  #lastInterruptAt: number | null = null;
  #lastClose: Step | null = null;

  add(e: SessionEvent): void {
    switch (e.type) {
      case 'user.speech_started':
      case 'user.speech_ended':
      case 'user.transcript':
        this.#speech(e);
        break;
      case 'user.turn':
        if (e.source !== 'speech') {
          this.#steps.push({
            at: e.t,
            text: e.text,
            ...(e.source === 'api' ? { source: 'api' } : {}),
          });
        }
        break;
      case 'speech.created':
        if (FROM_OUTSIDE.has(e.origin) && e.userTurnId === null) this.#steps.push(speakStep(e));
        break;
      case 'speech.interrupted':
        // One interrupt() call interrupts every live speech at once: one step.
        if (FROM_OUTSIDE.has(e.by) && this.#lastInterruptAt !== e.t) {
          this.#steps.push({ at: e.t, interrupt: e.force ? { force: true } : true });
          this.#lastInterruptAt = e.t;
        }
        break;
      case 'session.closing':
        this.#lastClose = { at: e.t, close: e.reason };
        this.#steps.push(this.#lastClose);
        break;
      case 'session.started':
        // A session after a close: the console reloaded the agent.
        if (this.#lastClose) {
          delete this.#lastClose.close;
          this.#lastClose.reload = true;
          this.#lastClose = null;
        }
        break;
      default:
        break;
    }
  }

  #speech(e: EventOf<'user.speech_started' | 'user.speech_ended' | 'user.transcript'>): void {
    if (e.type === 'user.speech_started') {
      if (!this.#open) {
        this.#open = { start: e.t, end: null, finals: [], finalAt: null };
        this.#segments.push(this.#open);
      }
    } else if (e.type === 'user.speech_ended') {
      if (this.#open) this.#open.end = e.t;
      this.#open = null;
    } else {
      // A final belongs to the segment being spoken, else to the last one that ended.
      const target = this.#open ?? this.#segments.at(-1);
      if (e.final && target) {
        target.finals.push(e.text);
        target.finalAt = e.t;
      }
    }
  }

  finish(startT: number): Record<string, unknown>[] {
    const steps = [...this.#steps, ...segmentSteps(this.#segments)];
    // Stable sort: steps at the same moment keep the order they happened in.
    steps.sort((a, b) => a.at - b.at);
    return steps.map(({ at, ...rest }) => {
      const [kind, ...others] = Object.entries(rest);
      return Object.fromEntries([kind!, ['at', formatDuration(at - startT)], ...others]);
    });
  }
}

function speakStep(e: EventOf<'speech.created'>): Step {
  const extra = e.allowInterruptions ? {} : { allowInterruptions: false };
  if (e.source === 'say') return { at: e.t, say: e.text ?? '', ...extra };
  return { at: e.t, reply: e.allowInterruptions ? true : { allowInterruptions: false } };
}

/** A VAD segment with final transcripts is speech; without, noise. */
function segmentSteps(segments: readonly Segment[]): Step[] {
  const steps: Step[] = [];
  for (const s of segments) {
    const end = s.end ?? s.finalAt ?? s.start;
    const duration = Math.max(1, end - s.start);
    if (s.finals.length === 0) {
      steps.push({ at: s.start, noise: formatDuration(duration) });
      continue;
    }
    const step: Step = {
      at: s.start,
      speech: s.finals.join(' '),
      duration: formatDuration(duration),
    };
    if (s.finalAt !== null) step.sttDelay = formatDuration(Math.max(0, s.finalAt - end));
    steps.push(step);
  }
  return steps;
}

/**
 * Each event's speech as `<session>/<speech id>` (ids start again in each session of a
 * recording), or null for an event of no speech.
 */
function speechKeys(events: readonly SessionEvent[]): (string | null)[] {
  let session = 0;
  return events.map((e) => {
    if (e.type === 'session.started') session++;
    return 'speechId' in e && e.speechId ? `${session}/${e.speechId}` : null;
  });
}

/** Errors a replay cannot reproduce: its speech-to-text is scripted, not a provider. */
function replays(e: EventOf<'error'>): boolean {
  return e.code !== 'stt_failed' && !e.source.endsWith('.stt');
}

/**
 * `expect.events` for the recorded order of the events that matter. Console actions replay
 * as API calls, so an interrupt from the console is expected `by: api`. Speech that a close
 * (quitting, a hot reload) cut is left out: whether it was still playing then depends on how
 * far the live output had got at that millisecond (a loaded machine plays late), which a
 * replay on the virtual clock does not reproduce; it is the user's timing, not the agent's.
 */
export function recordedExpectations(events: readonly SessionEvent[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const add = (event: string, where: Record<string, unknown>) => out.push({ event, where });
  const keys = speechKeys(events);
  const cut = new Set<string>();
  for (const [i, e] of events.entries()) {
    const key = keys[i];
    if (e.type === 'speech.interrupted' && e.by === 'close' && key) cut.add(key);
  }
  for (const [i, e] of events.entries()) {
    const key = keys[i];
    const ending = e.type === 'speech.interrupted' || e.type === 'speech.done';
    if (ending && key && cut.has(key)) continue;
    switch (e.type) {
      case 'user.turn':
        add(e.type, { text: literal(e.text) });
        break;
      case 'agent.changed':
        add(e.type, { agentName: e.agentName, reason: e.reason });
        break;
      case 'speech.created':
        add(e.type, { source: e.source });
        break;
      case 'speech.interrupted':
        add(e.type, { by: e.by === 'console' ? 'api' : e.by });
        break;
      case 'speech.done':
        add(e.type, { reason: e.reason });
        break;
      case 'tool.started':
        add(e.type, { name: e.name });
        break;
      case 'tool.finished':
        add(e.type, { name: e.name, isError: e.isError });
        break;
      case 'task.started':
      case 'task.completed':
      case 'task.failed':
      case 'task.cancelled':
        add(e.type, { name: e.name });
        break;
      case 'error':
        if (replays(e)) add(e.type, { code: e.code, source: e.source });
        break;
      case 'warning':
        if (e.code === 'provider_retry') add(e.type, { code: e.code });
        break;
      default:
        break;
    }
  }
  return out;
}
