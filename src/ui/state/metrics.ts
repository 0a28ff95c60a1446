/**
 * Latency and token use per user turn (end of utterance, LLM first token, TTS first byte, end
 * to end and the parts it is made of; prompt and completion tokens over all model calls of
 * the turn) and who is doing what (user and agent state). LLM/TTS metrics name a speech, not a turn: the speech's
 * `userTurnId` from `speech.created` joins them.
 */
import type {
  AgentState,
  EventOf,
  SessionEvent,
  TurnLatencyParts,
  UserState,
} from '../../runtime/events/types.js';
import { pushBounded, updateWhere } from './bounded.js';

export const MAX_TURN_METRICS = 10;
const MAX_SPEECH_LINKS = 50;

export interface TurnMetrics {
  /** The user turn id, or `speech:<id>` for a speech that answers no turn (say). */
  key: string;
  t: number;
  eouMs: number | null;
  transcriptionMs: number | null;
  llmTtftMs: number | null;
  ttsTtfbMs: number | null;
  e2eMs: number | null;
  /** Summed over every model call of the turn (tool steps included); null before the first. */
  promptTokens: number | null;
  completionTokens: number | null;
  /** e2eMs split into the parts that add up to it (metrics.turn). */
  parts: TurnLatencyParts | null;
  endpointingSetting: EventOf<'metrics.turn'>['endpointingSetting'];
}

type Latency = Pick<TurnMetrics, 'eouMs' | 'transcriptionMs' | 'llmTtftMs' | 'ttsTtfbMs' | 'e2eMs'>;

export interface MetricsState {
  agentState: AgentState | null;
  userState: UserState | null;
  turns: readonly TurnMetrics[];
  /** speechId → turn key, newest last. */
  links: readonly (readonly [string, string])[];
  sttLatencyMs: number | null;
  /** Model names as reported by the session and its metrics. */
  models: Readonly<Record<string, string>>;
}

export const initialMetrics: MetricsState = {
  agentState: null,
  userState: null,
  turns: [],
  links: [],
  sttLatencyMs: null,
  models: {},
};

function keyOfSpeech(state: MetricsState, speechId: string): string {
  return state.links.find(([s]) => s === speechId)?.[1] ?? `speech:${speechId}`;
}

/** Updates the turn `key` with `merge`, creating the turn first if needed. */
function update(
  state: MetricsState,
  key: string,
  t: number,
  merge: (m: TurnMetrics) => TurnMetrics,
): MetricsState {
  const exists = state.turns.some((m) => m.key === key);
  const base: TurnMetrics = {
    key,
    t,
    eouMs: null,
    transcriptionMs: null,
    llmTtftMs: null,
    ttsTtfbMs: null,
    e2eMs: null,
    promptTokens: null,
    completionTokens: null,
    parts: null,
    endpointingSetting: null,
  };
  const turns = exists ? state.turns : pushBounded(state.turns, base, MAX_TURN_METRICS);
  return { ...state, turns: updateWhere(turns, (m) => m.key === key, merge) };
}

/** Sets latencies on the turn `key`; a latency already set keeps its first value. */
function patch(state: MetricsState, key: string, t: number, values: Partial<Latency>) {
  return update(state, key, t, (m) => {
    const next = { ...m };
    for (const [k, v] of Object.entries(values) as [keyof Latency, number][]) {
      // Later LLM steps of one turn (after tools) would hide the latency the user felt.
      if (next[k] === null) next[k] = v;
    }
    return next;
  });
}

/** Adds one model call's tokens to its turn: a turn with tool steps pays for every call. */
function addTokens(
  state: MetricsState,
  key: string,
  t: number,
  prompt: number,
  completion: number,
) {
  return update(state, key, t, (m) => ({
    ...m,
    promptTokens: (m.promptTokens ?? 0) + prompt,
    completionTokens: (m.completionTokens ?? 0) + completion,
  }));
}

export function metricsReducer(state: MetricsState, e: SessionEvent): MetricsState {
  switch (e.type) {
    case 'session.started':
      return { ...state, models: { ...state.models, ...e.models } };
    case 'agent.state':
      return { ...state, agentState: e.state };
    case 'user.state':
      return { ...state, userState: e.state };
    case 'speech.created':
      if (e.userTurnId === null) return state;
      return {
        ...state,
        links: pushBounded(state.links, [e.speechId, e.userTurnId] as const, MAX_SPEECH_LINKS),
      };
    case 'metrics.eou':
      return patch(state, e.turnId, e.t, {
        eouMs: e.endOfUtteranceDelayMs,
        transcriptionMs: e.transcriptionDelayMs,
      });
    case 'metrics.llm': {
      const key = keyOfSpeech(state, e.speechId);
      const named = { ...state, models: { ...state.models, llm: e.model } };
      const timed = patch(named, key, e.t, { llmTtftMs: e.ttftMs });
      return addTokens(timed, key, e.t, e.promptTokens, e.completionTokens);
    }
    case 'metrics.tts':
      return patch(
        { ...state, models: { ...state.models, tts: e.model } },
        keyOfSpeech(state, e.speechId),
        e.t,
        {
          ttsTtfbMs: e.ttfbMs,
        },
      );
    case 'metrics.turn': {
      const timed = patch(state, e.turnId, e.t, { e2eMs: e.e2eMs });
      return update(timed, e.turnId, e.t, (m) =>
        m.parts === null ? { ...m, parts: e.parts, endpointingSetting: e.endpointingSetting } : m,
      );
    }
    case 'metrics.stt':
      return { ...state, sttLatencyMs: e.latencyMs, models: { ...state.models, stt: e.model } };
    default:
      return state;
  }
}
