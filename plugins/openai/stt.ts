import type OpenAI from 'openai';
import { toFile } from 'openai';
import { type AudioFrame, resampleFrame } from '../../src/runtime/audio/frame.js';
import type { ModelCallContext } from '../../src/runtime/models/context.js';
import type { STT, STTEvent } from '../../src/runtime/models/stt.js';
import type { VAD } from '../../src/runtime/models/vad.js';
import { childController } from '../shared/abort.js';
import { AsyncQueue } from '../shared/async-queue.js';
import type { ErrorScope } from '../shared/errors.js';
import { encodeWav, frameBytes } from '../shared/pcm.js';
import { connectOpenAI, type OpenAIConnectionOptions, openAIError } from './config.js';

export interface OpenAISTTOptions extends OpenAIConnectionOptions {
  /** Cuts the audio into utterances; each one is transcribed as a whole. */
  readonly vad: VAD;
  /** Default `gpt-4o-mini-transcribe` (`whisper-1` works too). */
  readonly model?: string;
  /** ISO-639-1 code, e.g. `en`; the model guesses when it is not given. */
  readonly language?: string;
  /** Vocabulary or context that helps the model (names, jargon). */
  readonly prompt?: string;
  /** Audio kept from before the VAD noticed speech, so first syllables are not cut (300). */
  readonly prefixPaddingMs?: number;
  /** Rate of the uploaded audio and of the frames asked from the runtime (16 000). */
  readonly sampleRate?: number;
}

/**
 * Speech to text for providers without a live API: the VAD finds utterances, each is posted
 * as a WAV file to the transcription endpoint, and the result comes back as one `final`.
 * Events per utterance: start_of_speech, then final (with latencyMs from the end of speech),
 * then end_of_speech. Utterances are transcribed concurrently but reported in order: a new
 * utterance's start_of_speech waits until the previous one's final is out.
 */
export class OpenAISTT implements STT {
  readonly label: string;
  readonly sampleRate: number;
  readonly #client: OpenAI;
  readonly #scope: ErrorScope;
  readonly #options: OpenAISTTOptions;
  readonly #model: string;

  constructor(options: OpenAISTTOptions) {
    const { client, scope } = connectOpenAI(options, 'stt');
    this.#client = client;
    this.#scope = scope;
    this.#options = options;
    this.#model = options.model ?? 'gpt-4o-mini-transcribe';
    this.sampleRate = options.sampleRate ?? 16_000;
    this.label = `openai/${this.#model}`;
  }

  async *recognize(
    frames: AsyncIterable<AudioFrame>,
    ctx: ModelCallContext,
  ): AsyncGenerator<STTEvent> {
    const { controller, dispose } = childController(ctx.signal);
    const out = new AsyncQueue<STTEvent>();
    void this.#segmentAndTranscribe(frames, ctx, controller.signal, out);
    try {
      for await (const event of out) yield event;
      if (ctx.signal.aborted) throw ctx.signal.reason;
    } finally {
      dispose();
      controller.abort();
    }
  }

  async #segmentAndTranscribe(
    frames: AsyncIterable<AudioFrame>,
    ctx: ModelCallContext,
    signal: AbortSignal,
    out: AsyncQueue<STTEvent>,
  ): Promise<void> {
    const { vad } = this.#options;
    const segment = new SpeechSegmenter(this.sampleRate, this.#options.prefixPaddingMs ?? 300);
    const rate = this.sampleRate;
    // The VAD pulls frames through this generator, so the segmenter holds exactly the audio
    // the VAD has judged when it reports a speech boundary.
    async function* feed(): AsyncGenerator<AudioFrame> {
      for await (const frame of frames) {
        if (signal.aborted) return;
        const atRate = resampleFrame(frame, rate);
        segment.add(atRate);
        yield resampleFrame(atRate, vad.sampleRate);
      }
    }
    let reported: Promise<void> = Promise.resolve();
    const fail = (err: unknown) =>
      out.fail(signal.aborted ? signal.reason : openAIError(err, this.#scope));
    // Each step waits for the previous one; a failure ends the stream at once, not when the
    // (possibly endless) input does.
    const report = (step: () => unknown) => {
      reported = reported.then(async () => {
        await step();
      });
      reported.catch(fail);
    };
    const finish = (pcm: Buffer) => {
      const endedAt = ctx.clock.now();
      const text = this.#transcribe(pcm, signal);
      text.catch(() => {});
      // Transcriptions overlap; their events keep utterance order.
      report(async () => {
        const transcript = (await text).trim();
        if (transcript) {
          out.push({ type: 'final', text: transcript, latencyMs: ctx.clock.now() - endedAt });
        }
        out.push({ type: 'end_of_speech' });
      });
    };
    try {
      for await (const event of vad.detect(feed(), { clock: ctx.clock, signal })) {
        if (event.type === 'start_of_speech' && !segment.capturing) {
          segment.begin();
          // Behind the previous utterance's final, so each utterance reads start/final/end.
          report(() => out.push({ type: 'start_of_speech' }));
        } else if (event.type === 'end_of_speech' && segment.capturing) {
          finish(segment.end());
        }
      }
      // Input ended mid-utterance: what was said so far still counts.
      if (segment.capturing && !signal.aborted) finish(segment.end());
      await reported;
      out.close();
    } catch (err) {
      fail(err);
    }
  }

  async #transcribe(pcm: Buffer, signal: AbortSignal): Promise<string> {
    const o = this.#options;
    const file = await toFile(encodeWav(pcm, this.sampleRate), 'speech.wav', { type: 'audio/wav' });
    // Its own signal: the SDK never removes the abort listener it adds to a request's signal,
    // and the stream's signal outlives many utterances.
    const own = childController(signal);
    try {
      const result = await this.#client.audio.transcriptions.create(
        {
          file,
          model: this.#model,
          response_format: 'json',
          ...(o.language !== undefined ? { language: o.language } : {}),
          ...(o.prompt !== undefined ? { prompt: o.prompt } : {}),
        },
        { signal: own.controller.signal },
      );
      return result.text;
    } finally {
      own.dispose();
    }
  }
}

/** Keeps a short pre-roll while idle and the whole utterance while speech goes on. */
class SpeechSegmenter {
  readonly #sampleRate: number;
  readonly #paddingSamples: number;
  #preroll: Buffer[] = [];
  #prerollSamples = 0;
  #captured: Buffer[] | null = null;

  constructor(sampleRate: number, paddingMs: number) {
    this.#sampleRate = sampleRate;
    this.#paddingSamples = Math.round((paddingMs / 1000) * sampleRate);
  }

  get capturing(): boolean {
    return this.#captured !== null;
  }

  add(frame: AudioFrame): void {
    const bytes = frameBytes(frame, this.#sampleRate);
    if (this.#captured) {
      this.#captured.push(bytes);
      return;
    }
    this.#preroll.push(bytes);
    this.#prerollSamples += bytes.length / 2;
    while (
      this.#preroll.length > 1 &&
      this.#prerollSamples - this.#preroll[0]!.length / 2 >= this.#paddingSamples
    ) {
      this.#prerollSamples -= this.#preroll.shift()!.length / 2;
    }
  }

  begin(): void {
    this.#captured = this.#preroll;
    this.#preroll = [];
    this.#prerollSamples = 0;
  }

  end(): Buffer {
    const pcm = Buffer.concat(this.#captured ?? []);
    this.#captured = null;
    return pcm;
  }
}
