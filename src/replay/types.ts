import type { SessionEvent } from '../runtime/events/types.js';
import type { TurnLatency } from './latency.js';

/** What a replay produces. `ReplayResult` minus `eventLog` is the `--json` line. */

export interface ExpectationResult {
  description: string;
  passed: boolean;
  /** Passed: where it was seen. Failed: what was expected and what happened instead. */
  detail: string;
  /** Where the expectation is written, e.g. `expect.events[2]` (default checks: `expect`). */
  path?: string;
  /** Its line in the session file (0 when the script did not come from a file). */
  line?: number;
}

export interface DeadlockReport {
  /** `event`: the runtime reported a wait-for cycle; `end-of-run`: work left pending. */
  source: 'event' | 'end-of-run';
  t: number;
  cycle: string[];
  description: string;
  openWaits: string[];
}

/** One step of the user timeline, as it ran. */
export interface StepRecord {
  index: number;
  id: string | null;
  description: string;
  /** Session time it ran at; null if it never did (its anchor never happened). */
  startedAt: number | null;
  /** Start plus the step's length (speech, noise, wait); null if it never ran. */
  endedAt: number | null;
  /** `seq` of the last event emitted before it ran (-1: none); `since:` counts after it. */
  seqBefore: number;
  /** The transcript or text this step gives the session as user input, if any. */
  input: string | null;
  /** Why it could not run, or what its call threw. */
  error: string | null;
}

export type EndReason = 'idle' | 'quiescent' | 'limit' | 'closed' | 'error';

export interface ReplayResult {
  file: string;
  name: string;
  passed: boolean;
  expectations: ExpectationResult[];
  deadlocks: DeadlockReport[];
  /** Problems of the run itself: the agent failed to load, a step threw, ... */
  errors: string[];
  endReason: EndReason;
  virtualMs: number;
  /** Wall-clock duration of the run; the only wall-clock value, never part of the hash. */
  wallMs: number;
  /** Number of events. */
  events: number;
  /** sha256 of the canonical JSONL event stream. */
  eventsHash: string;
  steps: StepRecord[];
  /** Per answered user turn: its end-to-end latency split into parts that add up to it. */
  latency: TurnLatency[];
  /** The events themselves (not part of the JSON result). */
  eventLog: readonly SessionEvent[];
}

/** The JSON form of a result (one line of `voxagent replay --json`). */
export type ReplayResultJson = Omit<ReplayResult, 'eventLog'>;

export function replayResultJson(result: ReplayResult): ReplayResultJson {
  const { eventLog: _eventLog, ...json } = result;
  return json;
}
