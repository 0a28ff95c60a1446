import type { AudioFrame } from '../audio/frame.js';
import { frameDurationMs } from '../audio/frame.js';
import type { Clock } from '../clock/clock.js';
import { Channel } from '../core/channel.js';
import { Replayable } from '../core/replayable.js';
import type { EventBus } from '../events/emitter.js';
import { ProviderError } from '../models/context.js';
import type { LLM, LLMRequest, LLMToolCall } from '../models/llm.js';
import type { TTS } from '../models/tts.js';
import type { Segment } from './playout.js';
import { SentenceSplitter } from './sentences.js';
import type { StepTiming } from './turn-latency.js';

/** What one step speaks: fixed text (say), pre-rendered audio, or a model's reply. */
export type StepSource =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'audio'; readonly text: string; readonly audio: AsyncIterable<AudioFrame> }
  | { readonly kind: 'llm'; readonly llm: LLM; readonly request: LLMRequest };

export interface StepIO {
  /** Filled as text is produced and audio arrives, so an interruption sees what was said. */
  readonly pieces: Piece[];
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly speechId: string;
  readonly step: number;
  readonly signal: AbortSignal;
  readonly tts: TTS | undefined;
  readonly segment: Segment;
  readonly retry: { readonly attempts: number; readonly baseDelayMs: number };
  /** Filled in as the step's first token, sentence and audio happen. */
  readonly timing: StepTiming;
  onFirstAudio(): void;
  onToolCall(call: LLMToolCall): void;
}

export interface Piece {
  readonly text: string;
  audioMs: number;
  /** All of its audio has arrived (so `audioMs` is its length, not a part of it). */
  complete: boolean;
}

/**
 * One step of a speech: text (from the source) → sentences → TTS → the output segment.
 * TTS starts on the first sentence while the model still streams; tool calls are handed
 * over the moment they are complete. Returns the spoken pieces with their audio lengths.
 */
export async function generateStep(source: StepSource, io: StepIO): Promise<Piece[]> {
  const pieces = io.pieces;
  const text = new Channel<string>();
  const addPiece = (piece: string) => {
    pieces.push({ text: piece, audioMs: 0, complete: false });
    text.push(piece);
  };
  const producer = produceText(source, io, addPiece).then(
    () => text.close(),
    (err: unknown) => {
      text.close(err);
      throw err;
    },
  );
  // The consumer's failure must not leave the producer's rejection unobserved.
  producer.catch(() => {});
  if (source.kind === 'audio') {
    await playAudio(source.audio, pieces, io);
  } else {
    await speakText(text, pieces, io);
  }
  await producer;
  return pieces;
}

async function produceText(
  source: StepSource,
  io: StepIO,
  addPiece: (piece: string) => void,
): Promise<void> {
  if (source.kind !== 'llm') {
    io.bus.emit('speech.text', { speechId: io.speechId, step: io.step, delta: source.text });
    addPiece(source.text);
    return;
  }
  const splitter = new SentenceSplitter();
  const started = io.clock.now();
  const timing = io.timing;
  let firstAt: number | undefined;
  let usage = { promptTokens: 0, completionTokens: 0 };
  const sentence = (text: string) => {
    timing.firstSentenceAt ??= io.clock.now();
    addPiece(text);
  };
  for await (const chunk of chatWithRetry(source.llm, source.request, io)) {
    if (io.signal.aborted) return;
    firstAt ??= io.clock.now();
    timing.firstTokenAt ??= firstAt;
    if (chunk.type === 'text') {
      io.bus.emit('speech.text', { speechId: io.speechId, step: io.step, delta: chunk.delta });
      for (const piece of splitter.push(chunk.delta)) sentence(piece);
    } else if (chunk.type === 'tool_call') {
      io.onToolCall(chunk.call);
    } else {
      usage = { promptTokens: chunk.promptTokens, completionTokens: chunk.completionTokens };
    }
  }
  const rest = splitter.flush();
  if (rest) sentence(rest);
  const end = io.clock.now();
  if (io.signal.aborted) return;
  io.bus.emit('metrics.llm', {
    speechId: io.speechId,
    model: source.llm.label,
    ttftMs: (firstAt ?? end) - started,
    ttfsMs: timing.firstSentenceAt !== undefined ? timing.firstSentenceAt - started : null,
    durationMs: end - started,
    ...usage,
  });
}

/**
 * Retries a chat only while nothing has come out of it yet: once text may have been
 * spoken, repeating the request would make the agent say things twice.
 */
async function* chatWithRetry(llm: LLM, request: LLMRequest, io: StepIO) {
  for (let attempt = 0; ; attempt++) {
    let yielded = false;
    try {
      for await (const chunk of llm.chat(request, { clock: io.clock, signal: io.signal })) {
        yielded = true;
        yield chunk;
      }
      return;
    } catch (err) {
      if (yielded || !isRetryable(err) || attempt >= io.retry.attempts || io.signal.aborted) {
        throw err;
      }
      await retryPause(err, attempt, io);
    }
  }
}

async function speakText(text: Channel<string>, pieces: Piece[], io: StepIO): Promise<void> {
  if (!io.tts) {
    // Text mode: nothing to hear, every piece counts as delivered when produced.
    for await (const _ of text) {
      // drain
    }
    for (const piece of pieces) piece.complete = true;
    return;
  }
  const tts = io.tts;
  let textAt: number | undefined;
  let firstAt: number | undefined;
  let characters = 0;
  let audioMs = 0;
  let current = -1;
  // Text is kept so that a synthesis that fails before any audio can be asked again.
  const replayable = new Replayable(text);
  for (let attempt = 0; ; attempt++) {
    characters = 0;
    const counted = countCharacters(replayable.read(), (n) => {
      // The TTS's latency counts from the text it got, not from the model's start.
      textAt ??= io.clock.now();
      io.timing.ttsFirstTextAt ??= textAt;
      characters += n;
    });
    try {
      for await (const audio of tts.synthesize(counted, { clock: io.clock, signal: io.signal })) {
        if (firstAt === undefined) {
          firstAt = io.clock.now();
          io.timing.firstAudioAt = firstAt;
          io.onFirstAudio();
        }
        if (audio.textIndex !== current) {
          emitSegment(io, pieces, current);
          current = audio.textIndex;
        }
        const ms = frameDurationMs(audio.frame);
        const piece = pieces[audio.textIndex];
        if (piece) piece.audioMs += ms;
        audioMs += ms;
        await io.segment.push(audio.frame);
      }
      break;
    } catch (err) {
      // Only while nothing was heard: a repeat after audio would say things twice.
      if (firstAt !== undefined || !isRetryable(err) || attempt >= io.retry.attempts) throw err;
      if (io.signal.aborted) throw err;
      await retryPause(err, attempt, io);
    }
  }
  emitSegment(io, pieces, current);
  const end = io.clock.now();
  if (io.signal.aborted) return;
  io.bus.emit('metrics.tts', {
    speechId: io.speechId,
    model: tts.label,
    ttfbMs: (firstAt ?? end) - (textAt ?? end),
    durationMs: end - (textAt ?? end),
    characters,
    audioMs,
  });
}

async function playAudio(
  audio: AsyncIterable<AudioFrame>,
  pieces: Piece[],
  io: StepIO,
): Promise<void> {
  let first = true;
  for await (const frame of audio) {
    if (io.signal.aborted) return;
    if (first) {
      first = false;
      io.timing.firstAudioAt = io.clock.now();
      io.onFirstAudio();
    }
    const piece = pieces[0];
    if (piece) piece.audioMs += frameDurationMs(frame);
    await io.segment.push(frame);
  }
  emitSegment(io, pieces, 0);
}

function emitSegment(io: StepIO, pieces: Piece[], index: number): void {
  const piece = pieces[index];
  // After an interruption the speech is done: nothing more is reported for it.
  if (!piece || io.signal.aborted) return;
  piece.complete = true;
  io.bus.emit('speech.segment', {
    speechId: io.speechId,
    step: io.step,
    textIndex: index,
    text: piece.text,
    audioMs: piece.audioMs,
  });
}

async function* countCharacters(
  text: AsyncIterable<string>,
  count: (n: number) => void,
): AsyncIterable<string> {
  for await (const piece of text) {
    count(piece.length);
    yield piece;
  }
}

function isRetryable(err: unknown): err is ProviderError {
  return err instanceof ProviderError && err.details.retryable === true;
}

/** Waits before the next attempt (retry-after, else exponential backoff) and says so. */
async function retryPause(err: ProviderError, attempt: number, io: StepIO): Promise<void> {
  const delay = err.details.retryAfterMs ?? io.retry.baseDelayMs * 2 ** attempt;
  io.bus.emit('warning', {
    code: 'provider_retry',
    message: `${err.provider}: ${err.message}; retrying in ${delay} ms (attempt ${attempt + 2})`,
    speechId: io.speechId,
  });
  await io.clock.sleep(delay, io.signal);
}
