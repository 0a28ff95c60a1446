import type { AudioFrame } from '../../src/runtime/audio/frame.js';
import type { ModelCallContext } from '../../src/runtime/models/context.js';
import type { STT, STTEvent } from '../../src/runtime/models/stt.js';
import { childController } from '../shared/abort.js';
import { AsyncQueue } from '../shared/async-queue.js';
import {
  connectDeepgram,
  type DeepgramConnection,
  type DeepgramConnectionOptions,
} from './config.js';
import { type ListenArgs, ListenRun } from './listen-run.js';

export interface DeepgramSTTOptions extends DeepgramConnectionOptions {
  /** Default `nova-3`. */
  readonly model?: string;
  /** Default `en-US`; `multi` for code-switching. */
  readonly language?: string;
  /** Sample rate of the audio sent (and asked from the runtime): 16 000. */
  readonly sampleRate?: number;
  /** Silence (ms) after which Deepgram marks `speech_final` (300), or false to turn it off. */
  readonly endpointingMs?: number | false;
  /** Gap (ms) after the last word that sends `UtteranceEnd` (1000; needs interim results). */
  readonly utteranceEndMs?: number;
  readonly interimResults?: boolean;
  readonly smartFormat?: boolean;
  readonly punctuate?: boolean;
  /** Words to recognise better (names, jargon): nova-3 keyterm prompting. */
  readonly keyterms?: readonly string[];
  /** Send KeepAlive after this long without audio (5000; Deepgram drops idle streams ~10 s). */
  readonly keepAliveMs?: number;
  /** Reconnections tried after an unexpected close, per drop (3). */
  readonly maxReconnectAttempts?: number;
  /** First reconnect delay; doubles each attempt, on the session clock (250). */
  readonly reconnectBackoffMs?: number;
  /** How long to wait for the last results after the input ends (3000). */
  readonly closeTimeoutMs?: number;
  /** Audio kept while reconnecting and sent on the new connection (5000 ms). */
  readonly reconnectBufferMs?: number;
}

/**
 * Deepgram live transcription over one WebSocket per `recognize()` call: interim and final
 * results, `SpeechStarted` / endpointing / `UtteranceEnd` as start and end of speech, and a
 * final per utterance with `latencyMs` (captured end of its audio → transcript received).
 */
export class DeepgramSTT implements STT {
  readonly label: string;
  readonly sampleRate: number;
  readonly #connection: DeepgramConnection;
  readonly #options: DeepgramSTTOptions;
  readonly #model: string;

  constructor(options: DeepgramSTTOptions = {}) {
    this.#connection = connectDeepgram(options, 'stt');
    this.#options = options;
    this.#model = options.model ?? 'nova-3';
    this.sampleRate = options.sampleRate ?? 16_000;
    this.label = `deepgram/${this.#model}`;
  }

  async *recognize(
    frames: AsyncIterable<AudioFrame>,
    ctx: ModelCallContext,
  ): AsyncGenerator<STTEvent> {
    const { controller, dispose } = childController(ctx.signal);
    const out = new AsyncQueue<STTEvent>();
    const o = this.#options;
    const run = new ListenRun(
      {
        client: this.#connection.client,
        scope: this.#connection.scope,
        args: this.#args(),
        sampleRate: this.sampleRate,
        keepAliveMs: o.keepAliveMs ?? 5000,
        maxReconnectAttempts: o.maxReconnectAttempts ?? 3,
        reconnectBackoffMs: o.reconnectBackoffMs ?? 250,
        closeTimeoutMs: o.closeTimeoutMs ?? 3000,
        reconnectBufferMs: o.reconnectBufferMs ?? 5000,
      },
      ctx,
      controller.signal,
      out,
    );
    const done = run.run(frames);
    try {
      for await (const event of out) {
        if (ctx.signal.aborted) break;
        yield event;
      }
      if (ctx.signal.aborted) throw ctx.signal.reason;
    } finally {
      dispose();
      controller.abort();
      // The socket is closed before the caller moves on: nothing outlives the call.
      await done;
    }
  }

  #args(): ListenArgs {
    const o = this.#options;
    const interim = o.interimResults ?? true;
    const endpointing = o.endpointingMs ?? 300;
    return {
      model: this.#model,
      language: o.language ?? 'en-US',
      encoding: 'linear16',
      sample_rate: this.sampleRate,
      channels: 1,
      interim_results: String(interim),
      endpointing: endpointing === false ? 'false' : endpointing,
      // UtteranceEnd needs interim results to measure the gap.
      ...(interim ? { utterance_end_ms: o.utteranceEndMs ?? 1000 } : {}),
      vad_events: 'true',
      smart_format: String(o.smartFormat ?? true),
      punctuate: String(o.punctuate ?? true),
      ...(o.keyterms?.length ? { keyterm: [...o.keyterms] } : {}),
      connectionTimeoutInSeconds: this.#connection.connectTimeoutSeconds,
    };
  }
}
