import type { Clock } from '../clock/clock.js';
import type { AudioInput } from '../io/audio-input.js';
import type { AudioOutput } from '../io/audio-output.js';
import type { LLM } from '../models/llm.js';
import type { RealtimeModel } from '../models/realtime.js';
import type { STT } from '../models/stt.js';
import type { TTS } from '../models/tts.js';
import type { VAD } from '../models/vad.js';
import type {
  InterruptionOptions,
  ResolvedSessionOptions,
  TurnDetectionOptions,
} from './session-core.js';

/** LiveKit's preemptive generation: start the reply at the final transcript, before end of turn. */
export interface PreemptiveGenerationOptions {
  /** Default true. */
  enabled?: boolean;
  /** Also synthesise speech before the turn ends (default false: only the model runs early). */
  preemptiveTts?: boolean;
  /** Skip it for user speech longer than this (default 10 000 ms): long turns change more. */
  maxSpeechMs?: number;
  /** At most this many speculative requests per user turn (default 3). */
  maxRetries?: number;
}

export interface AgentSessionOptions<UserData = unknown> {
  /** A chat model (used with the TTS/STT), or a realtime speech-to-speech model. */
  llm?: LLM | RealtimeModel;
  tts?: TTS;
  stt?: STT;
  vad?: VAD;
  /** Microphone-like user audio. */
  input?: AudioInput;
  /** Where speech goes. Default: a silent output that plays on the session clock. */
  output?: AudioOutput;
  /** Default: the real clock. Pass a VirtualClock for tests and replays. */
  clock?: Clock;
  userData?: UserData;
  turnDetection?: Partial<TurnDetectionOptions>;
  interruption?: Partial<InterruptionOptions>;
  /** Default for speech that does not say otherwise. Default true. */
  allowInterruptions?: boolean;
  /** How many rounds of tool calls one reply may make. Default 3. */
  maxToolSteps?: number;
  /** Bound on waiting for an output's playback report (contract C5). Default 250 ms. */
  playoutSettleMs?: number;
  /** Bound on each phase of close() (contract C8). Default 2000 ms. */
  closeTimeoutMs?: number;
  /** Retries (with backoff) of an LLM or TTS request that failed before producing anything. */
  retry?: { attempts?: number; baseDelayMs?: number };
  /**
   * How far synthesis may run ahead of playout, in ms of audio: a sentence goes to the TTS
   * only while less than this waits to be heard, counting the sentences it already has (so
   * at most this much plus the sentence it speaks and the one just given is asked for), and
   * audio is taken from it only while less than this is written and unheard. Default
   * 10 000; `Infinity` turns the bound off.
   */
  maxSynthesisAheadMs?: number;
  /** Start replies at the final transcript (LiveKit's default). `false` turns it off. */
  preemptiveGeneration?: boolean | PreemptiveGenerationOptions;
  /**
   * After this long with both sides listening and nothing in flight, the user state becomes
   * `away`. Default 15 000 ms; `null` turns it off.
   */
  userAwayTimeoutMs?: number | null;
  /**
   * After the agent first starts speaking, user speech that starts within this window does not
   * interrupt by its sound alone (an echo canceller is still converging); a committed turn
   * still does. Default 0 (off).
   */
  aecWarmupMs?: number;
}

export interface ResolvedPreemptiveGeneration {
  readonly enabled: boolean;
  readonly preemptiveTts: boolean;
  readonly maxSpeechMs: number;
  readonly maxRetries: number;
}

/** Fills in LiveKit's defaults; `true`/`false` is shorthand for `{ enabled }`. */
export function resolvePreemptive(
  value: boolean | PreemptiveGenerationOptions | undefined,
  base: ResolvedPreemptiveGeneration = {
    enabled: true,
    preemptiveTts: false,
    maxSpeechMs: 10_000,
    maxRetries: 3,
  },
): ResolvedPreemptiveGeneration {
  if (value === undefined) return base;
  if (typeof value === 'boolean') return { ...base, enabled: value };
  return {
    enabled: value.enabled ?? true,
    preemptiveTts: value.preemptiveTts ?? base.preemptiveTts,
    maxSpeechMs: value.maxSpeechMs ?? base.maxSpeechMs,
    maxRetries: value.maxRetries ?? base.maxRetries,
  };
}

export const DEFAULT_PLAYOUT_SETTLE_MS = 250;
export const DEFAULT_MAX_SYNTHESIS_AHEAD_MS = 10_000;

export function resolveOptions(options: AgentSessionOptions<unknown>): ResolvedSessionOptions {
  const positive = (name: string, value: number | undefined, fallback: number) => {
    const v = value ?? fallback;
    if (!Number.isFinite(v) || v < 0)
      throw new RangeError(`${name} must be a number ≥ 0, got ${v}`);
    return v;
  };
  return {
    turnDetection: {
      minEndpointingDelayMs: positive(
        'turnDetection.minEndpointingDelayMs',
        options.turnDetection?.minEndpointingDelayMs,
        500,
      ),
      maxEndpointingDelayMs: positive(
        'turnDetection.maxEndpointingDelayMs',
        options.turnDetection?.maxEndpointingDelayMs,
        6000,
      ),
      ...(options.turnDetection?.endOfTurn ? { endOfTurn: options.turnDetection.endOfTurn } : {}),
    },
    interruption: {
      minDurationMs: positive(
        'interruption.minDurationMs',
        options.interruption?.minDurationMs,
        500,
      ),
      minWords: positive('interruption.minWords', options.interruption?.minWords, 0),
      falseInterruptionTimeoutMs: positive(
        'interruption.falseInterruptionTimeoutMs',
        options.interruption?.falseInterruptionTimeoutMs,
        2000,
      ),
      resumeFalseInterruption: options.interruption?.resumeFalseInterruption ?? true,
    },
    allowInterruptions: options.allowInterruptions ?? true,
    maxToolSteps: positive('maxToolSteps', options.maxToolSteps, 3),
    playoutSettleMs: positive(
      'playoutSettleMs',
      options.playoutSettleMs,
      DEFAULT_PLAYOUT_SETTLE_MS,
    ),
    closeTimeoutMs: positive('closeTimeoutMs', options.closeTimeoutMs, 2000),
    retry: {
      attempts: positive('retry.attempts', options.retry?.attempts, 2),
      baseDelayMs: positive('retry.baseDelayMs', options.retry?.baseDelayMs, 500),
    },
    maxSynthesisAheadMs: aheadBound(options.maxSynthesisAheadMs),
    preemptiveGeneration: resolvePreemptive(options.preemptiveGeneration),
    userAwayTimeoutMs:
      options.userAwayTimeoutMs === null
        ? null
        : positive('userAwayTimeoutMs', options.userAwayTimeoutMs, 15_000),
    aecWarmupMs: positive('aecWarmupMs', options.aecWarmupMs, 0),
  };
}

function aheadBound(value: number | undefined): number {
  const v = value ?? DEFAULT_MAX_SYNTHESIS_AHEAD_MS;
  // NaN fails both comparisons; Infinity is allowed (no bound).
  if (!(typeof v === 'number' && v > 0)) {
    throw new RangeError(
      `maxSynthesisAheadMs must be a number > 0 (Infinity for no bound), got ${v}`,
    );
  }
  return v;
}
