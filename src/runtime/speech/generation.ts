import type { AudioFrame } from '../audio/frame.js';
import { frameDurationMs } from '../audio/frame.js';
import type { Clock } from '../clock/clock.js';
import { Channel } from '../core/channel.js';
import { Replayable } from '../core/replayable.js';
import type { EventBus } from '../events/emitter.js';
import { ProviderError } from '../models/context.js';
import type { LLM, LLMRequest, LLMToolCall } from '../models/llm.js';
import type { RealtimeRequest, RealtimeSession } from '../models/realtime.js';
import type { SynthesizedAudio, TTS } from '../models/tts.js';
import type { Segment } from './playout.js';
import type { RequestTiming } from './preemption.js';
import { playRealtime } from './realtime-step.js';
import { SentenceSplitter } from './sentences.js';
import { SynthesisAhead } from './synthesis-ahead.js';
import type { StepTiming } from './turn-latency.js';

/** What one step speaks: fixed text (say), pre-rendered audio, or a model's reply. */
export type StepSource =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'audio'; readonly text: string; readonly audio: AsyncIterable<AudioFrame> }
  | {
      readonly kind: 'llm';
      readonly llm: LLM;
      readonly request: LLMRequest;
      /** A request made earlier (preemptive): its own timings are what metrics report. */
      readonly requestTiming?: RequestTiming;
    }
  | {
      readonly kind: 'realtime';
      readonly session: RealtimeSession;
      readonly request: RealtimeRequest;
      readonly label: string;
    };

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
  /** How much audio synthesis may run ahead of playout (see synthesis-ahead.ts). */
  readonly maxSynthesisAheadMs: number;
  /** Filled in as the step's first token, sentence and audio happen. */
  readonly timing: StepTiming;
  onFirstAudio(): void;
  onToolCall(call: LLMToolCall): void;
}

export interface Piece {
  /** Its words (a realtime model's transcript grows as its audio arrives). */
  text: string;
  audioMs: number;
  /** All of its audio has arrived (so `audioMs` is its length, not a part of it). */
  complete: boolean;
  /** The realtime model's item it belongs to (one message of a response). */
  itemId?: string;
}

/**
 * One step of a speech: text (from the source) → sentences → TTS → the output segment.
 * TTS starts on the first sentence while the model still streams; tool calls are handed
 * over the moment they are complete. Returns the spoken pieces with their audio lengths.
 */
export async function generateStep(source: StepSource, io: StepIO): Promise<Piece[]> {
  if (source.kind === 'realtime') {
    await playRealtime(source, io);
    return io.pieces;
  }
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
  if (source.kind === 'realtime') return;
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
  // Metrics describe the model request: a preemptive one's own stream, not the wait for it.
  const early = source.requestTiming;
  const from = early?.startedAt ?? started;
  const sentenceAt = early ? early.firstSentenceAt : timing.firstSentenceAt;
  io.bus.emit('metrics.llm', {
    speechId: io.speechId,
    model: source.llm.label,
    ttftMs: (early?.firstChunkAt ?? firstAt ?? end) - from,
    ttfsMs: sentenceAt !== undefined ? sentenceAt - from : null,
    durationMs: (early?.endAt ?? end) - from,
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

/** What a step's synthesis produced so far, across attempts (for metrics and segments). */
interface SynthesisProgress {
  /** When the TTS got its first text: its latency counts from there, not the model's start. */
  textAt: number | undefined;
  firstAt: number | undefined;
  characters: number;
  audioMs: number;
  /** Index of the piece whose audio is arriving. */
  current: number;
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
  const progress: SynthesisProgress = {
    textAt: undefined,
    firstAt: undefined,
    characters: 0,
    audioMs: 0,
    current: -1,
  };
  const ahead = new SynthesisAhead(io.segment, pieces, io.maxSynthesisAheadMs, io.signal);
  try {
    await synthesizeWithRetry(tts, text, pieces, io, ahead, progress);
  } finally {
    ahead.close();
  }
  emitSegment(io, pieces, progress.current);
  const end = io.clock.now();
  if (io.signal.aborted) return;
  const textAt = progress.textAt ?? end;
  io.bus.emit('metrics.tts', {
    speechId: io.speechId,
    model: tts.label,
    ttfbMs: (progress.firstAt ?? end) - textAt,
    durationMs: end - textAt,
    characters: progress.characters,
    audioMs: progress.audioMs,
  });
}

/**
 * Retries the TTS's own failures while nothing was heard. A failure of the text source (the
 * model, which has already retried on its own) ends the step: asking the TTS again would
 * only replay that failure.
 */
async function synthesizeWithRetry(
  tts: TTS,
  text: Channel<string>,
  pieces: Piece[],
  io: StepIO,
  ahead: SynthesisAhead,
  progress: SynthesisProgress,
): Promise<void> {
  // Text is kept so that a synthesis that fails before any audio can be asked again.
  const replayable = new Replayable(text);
  let sourceFailed = false;
  for (let attempt = 0; ; attempt++) {
    const handed = textForSynthesis(replayable, ahead, io, progress, () => {
      sourceFailed = true;
    });
    try {
      await playSynthesis(tts.synthesize(handed, { clock: io.clock, signal: io.signal }), {
        pieces,
        io,
        ahead,
        progress,
      });
      return;
    } catch (err) {
      // Only while nothing was heard: a repeat after audio would say things twice.
      const heard = progress.firstAt !== undefined;
      if (sourceFailed || heard || !isRetryable(err) || attempt >= io.retry.attempts) throw err;
      if (io.signal.aborted) throw err;
      await retryPause(err, attempt, io);
    }
  }
}

/** Writes one attempt's audio to the segment, taking it only as fast as the bound allows. */
async function playSynthesis(
  audioStream: AsyncIterable<SynthesizedAudio>,
  step: { pieces: Piece[]; io: StepIO; ahead: SynthesisAhead; progress: SynthesisProgress },
): Promise<void> {
  const { pieces, io, ahead, progress } = step;
  for await (const audio of audioStream) {
    if (progress.firstAt === undefined) {
      progress.firstAt = io.clock.now();
      io.timing.firstAudioAt = progress.firstAt;
      io.onFirstAudio();
    }
    if (audio.textIndex !== progress.current) {
      emitSegment(io, pieces, progress.current);
      progress.current = audio.textIndex;
      ahead.heard(audio.textIndex);
    }
    const ms = frameDurationMs(audio.frame);
    const piece = pieces[audio.textIndex];
    if (piece) piece.audioMs += ms;
    progress.audioMs += ms;
    await io.segment.push(audio.frame);
    const room = ahead.roomForAudio();
    if (room) await room;
  }
}

async function playAudio(
  audio: AsyncIterable<AudioFrame>,
  pieces: Piece[],
  io: StepIO,
): Promise<void> {
  let first = true;
  const ahead = new SynthesisAhead(io.segment, pieces, io.maxSynthesisAheadMs, io.signal);
  try {
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
      const room = ahead.roomForAudio();
      if (room) await room;
    }
  } finally {
    ahead.close();
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

/**
 * One attempt's text for the TTS: each piece once there is room for it ahead of playout,
 * counted as it goes (the TTS's latency counts from the text it got, not the model's start).
 */
async function* textForSynthesis(
  replayable: Replayable<string>,
  ahead: SynthesisAhead,
  io: StepIO,
  progress: SynthesisProgress,
  onSourceFailure: () => void,
): AsyncIterable<string> {
  ahead.restart();
  progress.characters = 0;
  const source = replayable.read()[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = await source.next();
      } catch (err) {
        onSourceFailure();
        throw err;
      }
      if (next.done) return;
      const room = ahead.roomForText();
      if (room) await room;
      ahead.handedOne();
      progress.textAt ??= io.clock.now();
      io.timing.ttsFirstTextAt ??= progress.textAt;
      progress.characters += next.value.length;
      yield next.value;
    }
  } finally {
    void source.return?.();
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
    message: `${err.provider}: ${err.message}; retrying in ${delay} ms (attempt ${attempt + 2} of ${io.retry.attempts + 1})`,
    speechId: io.speechId,
  });
  await io.clock.sleep(delay, io.signal);
}
