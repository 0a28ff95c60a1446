import { frameDurationMs } from '../audio/frame.js';
import { type ChatItem, toRealtimeItems } from '../history/chat-history.js';
import type { LLM, LLMRequest } from '../models/llm.js';
import type { RealtimeModel, RealtimeRequest, RealtimeSession } from '../models/realtime.js';
import type { TTS } from '../models/tts.js';
import type { Piece, StepIO, StepSource } from './generation.js';

/**
 * One step spoken by a realtime model: its response streams the audio (straight to the
 * output), the transcript of each message (a piece per message item, so what was heard maps
 * to the model's own item) and its tool calls. Aborting the step's signal cancels the
 * response on the server.
 */
export async function playRealtime(
  source: { session: RealtimeSession; request: RealtimeRequest; label: string },
  io: StepIO,
): Promise<void> {
  const started = io.clock.now();
  const timing = io.timing;
  let current: Piece | undefined;
  let usage = { promptTokens: 0, completionTokens: 0 };
  const pieceFor = (itemId: string): Piece => {
    if (current?.itemId === itemId) return current;
    finishPiece(io, current);
    current = { text: '', audioMs: 0, complete: false, itemId };
    io.pieces.push(current);
    return current;
  };
  for await (const chunk of source.session.respond(source.request, io.signal)) {
    if (io.signal.aborted) return;
    timing.firstTokenAt ??= io.clock.now();
    switch (chunk.type) {
      case 'message_started':
        pieceFor(chunk.itemId);
        break;
      case 'text':
        pieceFor(chunk.itemId).text += chunk.delta;
        io.bus.emit('speech.text', { speechId: io.speechId, step: io.step, delta: chunk.delta });
        break;
      case 'audio': {
        if (timing.firstAudioAt === undefined) {
          timing.firstAudioAt = io.clock.now();
          io.onFirstAudio();
        }
        pieceFor(chunk.itemId).audioMs += frameDurationMs(chunk.frame);
        await io.segment.push(chunk.frame);
        break;
      }
      case 'tool_call':
        io.onToolCall({ ...chunk.call, realtimeId: chunk.itemId });
        break;
      case 'usage':
        usage = { promptTokens: chunk.inputTokens, completionTokens: chunk.outputTokens };
    }
  }
  finishPiece(io, current);
  if (io.signal.aborted) return;
  const end = io.clock.now();
  io.bus.emit('metrics.llm', {
    speechId: io.speechId,
    model: source.label,
    // A realtime model's first output is its first audio (or text): there is no sentence step.
    ttftMs: (timing.firstTokenAt ?? end) - started,
    ttfsMs: null,
    durationMs: end - started,
    ...usage,
  });
}

function finishPiece(io: StepIO, piece: Piece | undefined): void {
  if (!piece || piece.complete || io.signal.aborted) return;
  piece.complete = true;
  io.bus.emit('speech.segment', {
    speechId: io.speechId,
    step: io.step,
    textIndex: io.pieces.indexOf(piece),
    text: piece.text,
    audioMs: piece.audioMs,
  });
}

/**
 * What a step of a realtime model plays: the request carries the whole conversation (its
 * connection syncs the model's side by diff). Without audio output its text goes through
 * the TTS.
 */
export function realtimeStepSource(
  chat: LLMRequest,
  history: readonly ChatItem[],
  link: { readonly session: RealtimeSession; readonly model: RealtimeModel },
  tts: TTS | undefined,
): { source: StepSource; tts: TTS | undefined } {
  const system = chat.messages[0];
  const request: RealtimeRequest = {
    instructions: system?.role === 'system' ? system.content : '',
    tools: chat.tools,
    ...(chat.toolChoice ? { toolChoice: chat.toolChoice } : {}),
    ...(chat.agent !== undefined ? { agent: chat.agent } : {}),
    items: toRealtimeItems(history),
  };
  const { session, model } = link;
  if (model.capabilities.audioOutput) {
    return { source: { kind: 'realtime', session, request, label: model.label }, tts: undefined };
  }
  if (!tts) throw new Error(`${model.label} writes text: pass \`tts\` to speak it`);
  return {
    source: { kind: 'llm', llm: realtimeAsLLM(model.label, session, request), request: chat },
    tts,
  };
}

/**
 * A realtime model that writes text (no audio output), seen as a chat model so its words go
 * through the session's TTS like any reply.
 */
export function realtimeAsLLM(
  label: string,
  session: RealtimeSession,
  request: RealtimeRequest,
): LLM {
  return {
    label,
    async *chat(_ignored, ctx) {
      for await (const chunk of session.respond(request, ctx.signal)) {
        if (chunk.type === 'text') yield { type: 'text', delta: chunk.delta };
        else if (chunk.type === 'tool_call') {
          yield { type: 'tool_call', call: { ...chunk.call, realtimeId: chunk.itemId } };
        } else if (chunk.type === 'usage') {
          yield {
            type: 'usage',
            promptTokens: chunk.inputTokens,
            completionTokens: chunk.outputTokens,
          };
        }
      }
    },
  };
}

/**
 * The user heard `playedMs` of an interrupted realtime step: the model's copy of each of its
 * items is cut where the user stopped hearing it (`truncate` owns the request).
 */
export function truncateHeard(
  link: { readonly session: RealtimeSession; readonly model: RealtimeModel },
  pieces: readonly Piece[],
  playedMs: number,
  truncate: (session: RealtimeSession, itemId: string, audioEndMs: number) => void,
): void {
  if (!link.model.capabilities.truncation) return;
  let offset = 0;
  for (const piece of pieces) {
    if (!piece.itemId) continue;
    const heard = Math.max(0, Math.min(piece.audioMs, playedMs - offset));
    offset += piece.audioMs;
    truncate(link.session, piece.itemId, heard);
  }
}
