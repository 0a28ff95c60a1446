import type { HistorySlot, HistoryStore } from '../history/history-store.js';
import type { Piece } from './generation.js';
import { spokenText } from './sentences.js';

/**
 * What one speech said and what of it was heard, step by step, and its place in the
 * history: each step reserves the place of its words when it is authorised to play, and
 * fills it once it knows what the user heard.
 */
export class SpeechTranscript {
  readonly #history: HistoryStore;
  readonly #addToHistory: boolean;
  readonly #heard: string[] = [];
  readonly #meant: string[] = [];
  #slot: HistorySlot | undefined;
  #pieces: Piece[] = [];
  #playedMs = 0;
  #totalMs = 0;

  constructor(history: HistoryStore, addToHistory: boolean) {
    this.#history = history;
    this.#addToHistory = addToHistory;
  }

  /** A step got the output: its words take their place now; `pieces` fill as they come. */
  beginStep(): Piece[] {
    this.#slot = this.#history.reserve();
    this.#pieces = [];
    return this.#pieces;
  }

  /** The current step's pieces (what the generation has produced so far). */
  get pieces(): readonly Piece[] {
    return this.#pieces;
  }

  /** The step ended: `playedMs` of it was heard (all of it, unless interrupted). */
  endStep(playedMs: number, interrupted: boolean): void {
    const pieces = this.#pieces;
    const total = pieces.reduce((sum, p) => sum + p.audioMs, 0);
    const meant = pieces.map((p) => p.text).join(' ');
    const heard = interrupted ? spokenText(pieces, playedMs) : meant;
    this.#playedMs += interrupted ? playedMs : total;
    this.#totalMs += total;
    if (meant) this.#meant.push(meant);
    if (heard) this.#heard.push(heard);
    const realtimeId = pieces.find((p) => p.itemId)?.itemId;
    this.#pieces = [];
    if (heard && this.#addToHistory) {
      this.#slot?.add({
        type: 'message',
        role: 'assistant',
        text: heard,
        interrupted,
        // The model's own item for this reply (it holds what was heard after a truncation).
        ...(realtimeId ? { realtimeId } : {}),
      });
    }
    this.close();
  }

  /** No more words will come (an empty place vanishes). */
  close(): void {
    this.#slot?.close();
    this.#slot = undefined;
  }

  summary(): { playedMs: number; totalMs: number; spokenText: string; fullText: string } {
    return {
      playedMs: this.#playedMs,
      totalMs: this.#totalMs,
      spokenText: this.#heard.join(' '),
      fullText: this.#meant.join(' '),
    };
  }
}
