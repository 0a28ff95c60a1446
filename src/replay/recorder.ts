import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { Disposable } from '../runtime/events/emitter.js';
import type { SessionEvent } from '../runtime/events/types.js';
import type { AudioOutput } from '../runtime/io/audio-output.js';
import type { ModelCallContext } from '../runtime/models/context.js';
import type { LLM, LLMChunk, LLMRequest } from '../runtime/models/llm.js';
import type { SynthesizedAudio, TTS } from '../runtime/models/tts.js';
import { formatDuration } from './duration.js';
import { literal, recordedExpectations, userStepsFromEvents } from './recording-events.js';

/**
 * Records a live session as a session file that replays it: the user's inputs with their
 * timings (from the event stream), the model replies including tool calls (from the LLM
 * it wraps), the TTS audio lengths (events) and the output kind. The file also expects the
 * recorded order of key events, so replaying it checks that the order is reproduced.
 *
 *   const recorder = new SessionRecorder({ agent: './agent.ts' });
 *   const session = new AgentSession({ llm: recorder.wrapLLM(llm), tts: recorder.wrapTTS(tts), ... });
 *   recorder.attach(session);            // before session.start()
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
}

interface RecordedReply {
  when: Record<string, string>;
  text: string;
  toolCalls: { name: string; arguments: unknown; id: string }[];
  ttftMs: number | null;
  durationMs: number;
  error: string | null;
}

interface EventSource {
  onAny(listener: (event: SessionEvent) => void): Disposable;
}

function parseArguments(json: string): unknown {
  try {
    const value: unknown = JSON.parse(json);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : json;
  } catch {
    return json;
  }
}

export class SessionRecorder {
  readonly events: SessionEvent[] = [];
  readonly #options: RecorderOptions;
  readonly #replies: RecordedReply[] = [];
  readonly #ttfbs: number[] = [];
  #subscription: Disposable | undefined;

  constructor(options: RecorderOptions) {
    this.#options = options;
  }

  /** Subscribes to the session's events (call before `session.start()`). */
  attach(session: EventSource): this {
    this.#subscription = session.onAny((e) => this.events.push(e));
    return this;
  }

  detach(): void {
    this.#subscription?.dispose();
    this.#subscription = undefined;
  }

  /** An LLM that passes everything through and remembers each reply and its timing. */
  wrapLLM(llm: LLM): LLM {
    const replies = this.#replies;
    return {
      label: llm.label,
      async *chat(request: LLMRequest, ctx: ModelCallContext): AsyncIterable<LLMChunk> {
        const reply = startReply(request);
        replies.push(reply);
        const started = ctx.clock.now();
        try {
          for await (const chunk of llm.chat(request, ctx)) {
            reply.ttftMs ??= ctx.clock.now() - started;
            if (chunk.type === 'text') reply.text += chunk.delta;
            if (chunk.type === 'tool_call') {
              const { id, name } = chunk.call;
              reply.toolCalls.push({ id, name, arguments: parseArguments(chunk.call.arguments) });
            }
            yield chunk;
          }
        } catch (err) {
          if (!ctx.signal.aborted) reply.error = err instanceof Error ? err.message : String(err);
          throw err;
        } finally {
          reply.durationMs = ctx.clock.now() - started;
        }
      },
    };
  }

  /** A TTS that passes everything through and remembers its time to first audio. */
  wrapTTS(tts: TTS): TTS {
    const ttfbs = this.#ttfbs;
    return {
      label: tts.label,
      sampleRate: tts.sampleRate,
      async *synthesize(
        text: AsyncIterable<string>,
        ctx: ModelCallContext,
      ): AsyncIterable<SynthesizedAudio> {
        let firstText: number | undefined;
        let measured = false;
        async function* timed(): AsyncIterable<string> {
          for await (const piece of text) {
            firstText ??= ctx.clock.now();
            yield piece;
          }
        }
        for await (const audio of tts.synthesize(timed(), ctx)) {
          if (!measured && firstText !== undefined) {
            measured = true;
            ttfbs.push(ctx.clock.now() - firstText);
          }
          yield audio;
        }
      },
    };
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
    if (o.expectations !== false) script.expect = { events: recordedExpectations(this.events) };
    return script;
  }

  toYaml(): string {
    const header =
      '# Recorded by voxagent SessionRecorder; replay with `voxagent replay <file>`.\n';
    return header + stringify(this.toScript(), { lineWidth: 0 });
  }

  async save(path: string): Promise<void> {
    await writeFile(path, this.toYaml());
  }

  #models(): Record<string, unknown> {
    const models: Record<string, unknown> = {};
    if (this.#replies.length > 0) models.llm = this.#replies.map(replyToSpec);
    const tts = this.#tts();
    if (Object.keys(tts).length > 0) models.tts = tts;
    models.output = this.#output();
    return models;
  }

  #tts(): Record<string, unknown> {
    const audio: Record<string, string> = {};
    let chars = 0;
    let ms = 0;
    for (const e of this.events) {
      if (e.type !== 'speech.segment' || e.text === '') continue;
      audio[e.text] ??= formatDuration(Math.round(e.audioMs));
      chars += e.text.length;
      ms += e.audioMs;
    }
    const tts: Record<string, unknown> = {};
    // Text the recording never heard (a replay that takes another path) gets the average rate.
    if (chars > 0) tts.msPerChar = Math.round((ms / chars) * 10) / 10;
    const ttfb = this.#ttfbs[0];
    if (ttfb !== undefined && ttfb > 0) tts.ttfb = formatDuration(Math.round(ttfb));
    if (Object.keys(audio).length > 0) tts.audio = audio;
    return tts;
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

function startReply(request: LLMRequest): RecordedReply {
  const last = request.messages.at(-1);
  const when: Record<string, string> = {};
  if (last?.role === 'user') when.input = literal(last.content);
  if (last?.role === 'tool') when.toolResult = literal(last.content);
  if (request.agent) when.agent = request.agent;
  return { when, text: '', toolCalls: [], ttftMs: null, durationMs: 0, error: null };
}

function replyToSpec(r: RecordedReply): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (Object.keys(r.when).length > 0) spec.when = r.when;
  if (r.text) spec.text = r.text;
  if (r.toolCalls.length > 0) spec.toolCalls = r.toolCalls;
  if (r.ttftMs !== null && r.ttftMs > 0) spec.ttft = formatDuration(Math.round(r.ttftMs));
  if (r.durationMs > 0) spec.duration = formatDuration(Math.round(r.durationMs));
  if (r.error !== null) spec.error = { message: r.error };
  return spec;
}
