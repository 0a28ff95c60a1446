import type OpenAI from 'openai';
import type { ModelCallContext } from '../../src/runtime/models/context.js';
import type {
  RealtimeCapabilities,
  RealtimeModel,
  RealtimeSession,
} from '../../src/runtime/models/realtime.js';
import type { ErrorScope } from '../shared/errors.js';
import { connectOpenAI, type OpenAIConnectionOptions } from './config.js';
import type { CertificateAuthorities } from './realtime-link.js';
import {
  type OpenAIRealtimeTranscription,
  type OpenAIRealtimeTurnDetection,
  REALTIME_SAMPLE_RATE,
  type SessionSettings,
} from './realtime-protocol.js';
import { OpenAIRealtimeSession } from './realtime-session.js';

export type { OpenAIRealtimeTranscription, OpenAIRealtimeTurnDetection };

export interface OpenAIRealtimeOptions extends OpenAIConnectionOptions {
  /** Default `gpt-realtime`. */
  readonly model?: string;
  /** Default `marin`. Fixed once the model has spoken in a session. */
  readonly voice?: string;
  /**
   * `audio` (default): the model speaks, with a transcript. `text`: it writes, and the
   * session's TTS speaks.
   */
  readonly modalities?: 'audio' | 'text';
  /**
   * The model's own speech detection (default `{ type: 'server_vad' }`); it reports
   * `speech_started` / `speech_stopped` and commits the user's turn, but never answers or
   * interrupts by itself. `null`: voxagent's turn detection decides (`commitAudio()`).
   */
  readonly turnDetection?: OpenAIRealtimeTurnDetection | null;
  /** Transcribe the user's audio (default `{ model: 'gpt-4o-mini-transcribe' }`); false: off. */
  readonly inputTranscription?: OpenAIRealtimeTranscription | false;
  readonly noiseReduction?: 'near_field' | 'far_field';
  /** Token limit of one response (API default: no limit). */
  readonly maxOutputTokens?: number;
  /**
   * Certificate authorities to trust for the `wss:` connection, besides Node's own: for a
   * proxy or local server with its own certificate. (`NODE_EXTRA_CA_CERTS` does the same
   * for the whole process, but only when set before Node starts.)
   */
  readonly ca?: CertificateAuthorities;
  /** Give up when the session is not set up this long after connecting (10 000). */
  readonly connectTimeoutMs?: number;
  /** Give up when the server has not acknowledged a request this long after it (10 000). */
  readonly responseTimeoutMs?: number;
  /** User audio kept while connecting, sent once connected (2 000). */
  readonly connectBufferMs?: number;
}

/**
 * OpenAI's Realtime API (GA protocol) as a voxagent `RealtimeModel`, on the `openai` SDK's
 * WebSocket client. Configured by options or `OPENAI_API_KEY` / `OPENAI_BASE_URL`.
 */
export class OpenAIRealtimeModel implements RealtimeModel {
  readonly kind = 'realtime';
  readonly label: string;
  readonly capabilities: RealtimeCapabilities;
  readonly #client: OpenAI;
  readonly #scope: ErrorScope;
  readonly #model: string;
  readonly #settings: SessionSettings;
  readonly #options: OpenAIRealtimeOptions;

  constructor(options: OpenAIRealtimeOptions = {}) {
    const { client, scope } = connectOpenAI(options, 'realtime');
    this.#client = client;
    this.#scope = scope;
    this.#options = options;
    this.#model = options.model ?? 'gpt-realtime';
    this.label = `openai-realtime/${this.#model}`;
    this.#settings = {
      voice: options.voice ?? 'marin',
      output: options.modalities ?? 'audio',
      turnDetection:
        options.turnDetection === undefined ? { type: 'server_vad' } : options.turnDetection,
      transcription: options.inputTranscription ?? {},
      ...(options.noiseReduction !== undefined ? { noiseReduction: options.noiseReduction } : {}),
      ...(options.maxOutputTokens !== undefined
        ? { maxOutputTokens: options.maxOutputTokens }
        : {}),
    };
    const audioOutput = this.#settings.output === 'audio';
    this.capabilities = {
      audioOutput,
      sampleRate: REALTIME_SAMPLE_RATE,
      serverTurnDetection: this.#settings.turnDetection !== null,
      userTranscription: this.#settings.transcription !== false,
      truncation: audioOutput,
    };
  }

  session(ctx: ModelCallContext): RealtimeSession {
    const options = this.#options;
    return new OpenAIRealtimeSession(
      {
        client: this.#client,
        model: this.#model,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        scope: this.#scope,
        settings: this.#settings,
        clock: ctx.clock,
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
        responseTimeoutMs: options.responseTimeoutMs ?? 10_000,
        connectBufferMs: options.connectBufferMs ?? 2_000,
      },
      ctx.signal,
    );
  }
}
