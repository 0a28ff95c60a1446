/**
 * The conversation as it happens: committed user turns, what the agent actually said
 * (and what an interruption cut off), the user's live transcript, and handoff notes.
 *
 * User and agent text reach us twice: as `user.turn` / `speech.done` (rich) and as
 * `history.added` (plain). The rich event wins; a plain one that matches a recent turn is
 * merged rather than shown twice, whichever arrives first.
 */
import type { SessionEvent, UserInputSource } from '../../runtime/events/types.js';
import { clip, pushBounded, updateWhere } from './bounded.js';
import type { InterruptCause } from './speech.js';
import { prefixEnd } from './speech-text.js';

export const MAX_TURNS = 50;
const MAX_TEXT = 2000;
/** How many recent turns a duplicate is looked for in. */
const MERGE_WINDOW = 4;

export type TurnRole = 'user' | 'agent' | 'note';

export interface Turn {
  key: string;
  role: TurnRole;
  t: number;
  text: string;
  /** Agent turns: what the user never heard. */
  cut: string;
  source: UserInputSource | null;
  speechId: string | null;
  interrupted: boolean;
  interruptedBy: InterruptCause | null;
  failed: boolean;
  /** User turns that had to wait behind a speech that could not be interrupted. */
  waited: boolean;
}

export interface ConversationState {
  turns: readonly Turn[];
  /** The user's transcript while they speak, until the turn is committed. */
  interim: { text: string; final: boolean } | null;
  /** Interruptions seen for handles not done yet (few: one per live handle). */
  interrupts: Readonly<Record<string, InterruptCause>>;
}

export const initialConversation: ConversationState = { turns: [], interim: null, interrupts: {} };

function turn(role: TurnRole, key: string, t: number, text: string): Turn {
  return {
    key,
    role,
    t,
    text: clip(text, MAX_TEXT),
    cut: '',
    source: null,
    speechId: null,
    interrupted: false,
    interruptedBy: null,
    failed: false,
    waited: false,
  };
}

const same = (a: string, b: string) => a.trim() === b.trim();

/** A recent turn of `role` that `match` accepts, searched newest first. */
function findRecent(state: ConversationState, role: TurnRole, match: (t: Turn) => boolean) {
  const recent = state.turns.slice(-MERGE_WINDOW).reverse();
  return recent.find((t) => t.role === role && match(t));
}

function upsert(state: ConversationState, role: TurnRole, existing: Turn | undefined, next: Turn) {
  if (existing === undefined) return { ...state, turns: pushBounded(state.turns, next, MAX_TURNS) };
  const turns = updateWhere(
    state.turns,
    (t) => t.key === existing.key,
    () => ({ ...next, key: existing.key, role }),
  );
  return { ...state, turns };
}

function onSpeechDone(state: ConversationState, e: Extract<SessionEvent, { type: 'speech.done' }>) {
  const { [e.speechId]: by = null, ...interrupts } = state.interrupts;
  const rest = { ...state, interrupts };
  if (e.fullText.trim() === '' && e.spokenText.trim() === '') return rest;
  const at = prefixEnd(e.fullText, e.spokenText);
  const cut = e.reason === 'completed' ? '' : (at >= 0 ? e.fullText.slice(at) : '').trim();
  const next: Turn = {
    ...turn('agent', `speech:${e.speechId}`, e.t, e.spokenText),
    cut: clip(cut, MAX_TEXT),
    speechId: e.speechId,
    interrupted: e.reason === 'interrupted',
    interruptedBy: by,
    failed: e.reason === 'failed',
  };
  const existing = findRecent(
    rest,
    'agent',
    (t) => t.speechId === null && same(t.text, e.spokenText),
  );
  if (existing) return upsert(rest, 'agent', existing, next);
  // A speech with tool steps: each step's text is already a turn of its own (from the
  // history); the rich event then describes the last step only, not all steps again.
  const lastStep = findRecent(
    rest,
    'agent',
    (t) =>
      t.speechId === null && t.text.trim() !== '' && e.spokenText.trim().endsWith(t.text.trim()),
  );
  if (lastStep) return upsert(rest, 'agent', lastStep, { ...next, text: lastStep.text });
  return upsert(rest, 'agent', undefined, next);
}

export function conversationReducer(state: ConversationState, e: SessionEvent): ConversationState {
  switch (e.type) {
    case 'user.transcript':
      return { ...state, interim: { text: clip(e.text, MAX_TEXT), final: e.final } };
    case 'user.turn': {
      const next = {
        ...turn('user', `turn:${e.turnId}`, e.t, e.text),
        source: e.source,
        waited: e.waited,
      };
      const existing = findRecent(state, 'user', (t) => t.source === null && same(t.text, e.text));
      return { ...upsert(state, 'user', existing, next), interim: null };
    }
    case 'speech.interrupted':
      return { ...state, interrupts: { ...state.interrupts, [e.speechId]: e.by } };
    case 'speech.done':
      return onSpeechDone(state, e);
    case 'history.added':
      return onHistory(state, e);
    case 'user.false_interruption': {
      const text = `false interruption of ${e.speechId}: ${e.resumed ? 'agent resumed' : 'not resumed'}`;
      return {
        ...state,
        turns: pushBounded(state.turns, turn('note', `fi:${e.seq}`, e.t, text), MAX_TURNS),
      };
    }
    case 'agent.changed':
      if (e.reason === 'start') return state;
      return {
        ...state,
        turns: pushBounded(
          state.turns,
          turn('note', `agent:${e.seq}`, e.t, `${e.reason.replace('_', ' ')}: ${e.agentName}`),
          MAX_TURNS,
        ),
      };
    default:
      return state;
  }
}

function onHistory(state: ConversationState, e: Extract<SessionEvent, { type: 'history.added' }>) {
  // Tool calls and their outputs are on the tools panel; handoffs come as `agent.changed`.
  if (e.kind !== 'message') return state;
  const key = `item:${e.itemId}`;
  if (e.role === 'user') {
    // The rich `user.turn` carries a source; a plain item with the same text is the same turn.
    if (findRecent(state, 'user', (t) => same(t.text, e.text))) return state;
    return { ...state, turns: pushBounded(state.turns, turn('user', key, e.t, e.text), MAX_TURNS) };
  }
  if (e.role === 'assistant') {
    if (findRecent(state, 'agent', (t) => same(t.text, e.text))) return state;
    const next = { ...turn('agent', key, e.t, e.text), interrupted: e.interrupted };
    return { ...state, turns: pushBounded(state.turns, next, MAX_TURNS) };
  }
  if (e.role === 'system') {
    return { ...state, turns: pushBounded(state.turns, turn('note', key, e.t, e.text), MAX_TURNS) };
  }
  return state;
}
