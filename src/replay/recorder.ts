import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { Disposable } from '../runtime/events/emitter.js';
import type { SessionEvent } from '../runtime/events/types.js';
import type { AudioOutput } from '../runtime/io/audio-output.js';
import type { LLM } from '../runtime/models/llm.js';
import { isRealtimeModel, type RealtimeModel } from '../runtime/models/realtime.js';
import type { TTS } from '../runtime/models/tts.js';
import { formatDuration } from './duration.js';
import { LIMITS } from './limits.js';
import { recordedExpectations, userStepsFromEvents } from './recording-events.js';
import {
  type RecordedReply,
  type RecordedSynthesis,
  recordingLLM,
  recordingTTS,
  replyToSpec,
  ttsSpec,
} from './recording-models.js';
import { type RealtimeRecording, realtimeSpec, recordingRealtime } from './recording-realtime.js';
import { DEFAULT_RUN } from './schema.js';

/**
 * Records a live session as a session file that replays it: the inputs from outside the
 * agent with their timings (the user's speech and text; say(), generateReply() and
 * interrupt() from the API or the console; hot reloads; the close), the model replies and
 * their failures (from the LLM it wraps), the audio each text piece had and the synthesis
 * failures (from the TTS it wraps), the output kind, a run limit that covers the recording,
 * and the recorded order of key events as expectations.
 *
 *   const recorder = new SessionRecorder({ agent: './agent.ts' });
 *   const session = new AgentSession({ llm: recorder.wrapLLM(llm), tts: recorder.wrapTTS(tts), ... });
 *   recorder.attach(session);            // before session.start(); again after a reload
 *   ...
 *   await recorder.save('sessions/recorded.yaml');
 */

export interface RecorderOptions {
  /** The agent module as the session file should name it (relative to where it is saved). */
  agent: string | { module: string; export?: string };
  name?: string;
  description?: string;
  /** `options:` to write (the session options used live, in session-file form). */
  options?: Record<string, unknown>;
  /** The live output: whether it can pause, and whether it reports playback. */
  output?: AudioOutput;
  /** Write `expect.events` with the recorded order of key events. Default true. */
  expectations?: boolean;
  /**
   * The recording's own timeline, when sessions are restarted while recording (a hot
   * reload gives the new session a new clock). Default: the first session's clock.
   */
  clock?: { now(): number };
}

/** What `attach` needs of a session: its events, and its clock to place them in time. */
export interface RecordedSession {
  onAny(listener: (event: SessionEvent) => void): Disposable;
  readonly clock?: { now(): number };
}

/** Virtual time a replay gets beyond the recording's length before it stops. */
const RUN_MARGIN_MS = 60_000;

export class SessionRecorder {
  /** Every session's events on the recording's timeline, numbered in order. */
  readonly events: SessionEvent[] = [];
  readonly #options: RecorderOptions;
  readonly #replies: RecordedReply[] = [];
  readonly #syntheses: RecordedSynthesis[] = [];
  readonly #realtime: RealtimeRecording = { audioOutput: true, responses: [] };
  #realtimeWrapped = false;
  #clock: { now(): number } | undefined;
  #subscription: Disposable | undefined;

  constructor(options: RecorderOptions) {
    this.#options = options;
    this.#clock = options.clock;
  }

  /**
   * Records the session's events (call before `session.start()`). Attaching a new session
   * (after a reload) ends the previous one's recording; the file replays both, in order.
   */
  attach(session: RecordedSession): this {
    this.detach();
    this.#clock ??= session.clock;
    const offset = this.#clock && session.clock ? this.#clock.now() - session.clock.now() : 0;
    const seqBase = this.events.length;
    this.#subscription = session.onAny((e) => {
      this.events.push(
        offset === 0 && seqBase === 0
          ? e
          : ({ ...e, t: e.t + offset, seq: e.seq + seqBase } as SessionEvent),
      );
    });
    return this;
  }

  detach(): void {
    this.#subscription?.dispose();
    this.#subscription = undefined;
  }

  /**
   * An LLM that passes everything through and remembers each reply, timing and failure; a
   * realtime model is wrapped the same way (its responses become `models.realtime`).
   */
  wrapLLM(llm: LLM): LLM;
  wrapLLM(llm: RealtimeModel): RealtimeModel;
  wrapLLM(llm: LLM | RealtimeModel): LLM | RealtimeModel;
  wrapLLM(llm: LLM | RealtimeModel): LLM | RealtimeModel {
    if (!isRealtimeModel(llm)) return recordingLLM(llm, this.#replies);
    this.#realtimeWrapped = true;
    return recordingRealtime(llm, this.#realtime);
  }

  /** A TTS that passes everything through and remembers the audio it made, and failures. */
  wrapTTS(tts: TTS): TTS {
    return recordingTTS(tts, this.#syntheses);
  }

  /** The recording as a session-file object (what `toYaml` writes). */
  toScript(): Record<string, unknown> {
    const o = this.#options;
    const startT = this.events.find((e) => e.type === 'session.started')?.t ?? 0;
    const script: Record<string, unknown> = {};
    if (o.name) script.name = o.name;
    if (o.description) script.description = o.description;
    script.agent = o.agent;
    if (o.options && Object.keys(o.options).length > 0) script.options = o.options;
    script.models = this.#models();
    script.user = userStepsFromEvents(this.events, startT);
    script.run = { limit: formatDuration(this.#runLimit(startT)) };
    if (o.expectations !== false) script.expect = { events: recordedExpectations(this.events) };
    return script;
  }

  toYaml(): string {
    const header =
      '# Recorded by voxagent SessionRecorder; replay with `voxagent replay <file>`.\n';
    return header + stringify(this.toScript(), { lineWidth: 0, aliasDuplicateObjects: false });
  }

  async save(path: string): Promise<void> {
    await writeFile(path, this.toYaml());
  }

  /** The recording's length and a margin, in whole 10 s, within the limits of the format. */
  #runLimit(startT: number): number {
    const length = (this.events.at(-1)?.t ?? startT) - startT;
    const limit = Math.ceil((length + RUN_MARGIN_MS) / 10_000) * 10_000;
    return Math.min(LIMITS.durationMs, Math.max(DEFAULT_RUN.limitMs, limit));
  }

  #models(): Record<string, unknown> {
    const models: Record<string, unknown> = {};
    const realtime = this.#realtimeWrapped;
    if (realtime && this.#replies.length > 0) {
      throw new Error(
        'this recording used a chat model and a realtime model: a session file scripts one of them (record each setup on its own)',
      );
    }
    if (this.#replies.length > 0) models.llm = this.#replies.map(replyToSpec);
    if (realtime) models.realtime = realtimeSpec(this.#realtime);
    // A realtime model's own speech is not the TTS's: only what the TTS made counts.
    const segments = realtime
      ? []
      : this.events.flatMap((e) => (e.type === 'speech.segment' ? [e] : []));
    const tts = ttsSpec(this.#syntheses, segments);
    if (Object.keys(tts).length > 0) models.tts = tts;
    models.output = this.#output();
    return models;
  }

  #output(): Record<string, unknown> {
    const out = this.#options.output as (AudioOutput & { reporting?: boolean }) | undefined;
    const warned = this.events.some(
      (e) => e.type === 'warning' && e.code === 'output_never_reports',
    );
    const reporting = out?.reporting ?? !warned;
    return { kind: reporting ? 'reporting' : 'never-reporting', pausable: out?.canPause ?? true };
  }
}
