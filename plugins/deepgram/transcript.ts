import type { STTEvent } from '../../src/runtime/models/stt.js';

/**
 * Turns Deepgram's live results into one utterance at a time. Deepgram finalizes a
 * transcript in segments (`is_final`) and marks the end of speech with `speech_final` or,
 * when endpointing misses it in noise, a later `UtteranceEnd`. The runtime wants, per
 * utterance: start_of_speech, interims (everything heard so far), one final with the whole
 * text, then end_of_speech.
 */
export class TranscriptAssembler {
  #finals: string[] = [];
  #speaking = false;

  speechStarted(): STTEvent[] {
    return this.#start();
  }

  results(
    transcript: string,
    flags: { isFinal: boolean; speechFinal: boolean },
    latencyMs: number | undefined,
  ): STTEvent[] {
    const text = transcript.trim();
    const events: STTEvent[] = text ? this.#start() : [];
    if (!flags.isFinal) {
      if (text) events.push({ type: 'interim', text: this.#join(text) });
      return events;
    }
    if (text) this.#finals.push(text);
    if (flags.speechFinal) return [...events, ...this.endOfUtterance(latencyMs)];
    if (text) events.push({ type: 'interim', text: this.#join() });
    return events;
  }

  /** `speech_final`, `UtteranceEnd`, or the end of the stream: report what was heard. */
  endOfUtterance(latencyMs: number | undefined): STTEvent[] {
    const events: STTEvent[] = [];
    const text = this.#join();
    if (text) {
      events.push(
        latencyMs === undefined ? { type: 'final', text } : { type: 'final', text, latencyMs },
      );
    }
    if (this.#speaking) events.push({ type: 'end_of_speech' });
    this.#finals = [];
    this.#speaking = false;
    return events;
  }

  #start(): STTEvent[] {
    if (this.#speaking) return [];
    this.#speaking = true;
    return [{ type: 'start_of_speech' }];
  }

  #join(tail?: string): string {
    return [...this.#finals, ...(tail ? [tail] : [])].join(' ');
  }
}

/**
 * Maps positions in the sent audio to the session-clock time the audio was captured, so a
 * final's latency is "captured end of its audio → transcript here". Deepgram's timestamps
 * restart at zero on every connection; `startConnection` records where that zero is.
 */
export class AudioTimeline {
  #chunks: Array<{ endMs: number; capturedAt: number }> = [];
  #totalMs = 0;
  #connectionStartMs = 0;

  /** A chunk of `durationMs` captured at `capturedAt`; returns its start position. */
  add(durationMs: number, capturedAt: number): number {
    const start = this.#totalMs;
    this.#totalMs += durationMs;
    this.#chunks.push({ endMs: this.#totalMs, capturedAt });
    // Keep a minute of history: results never refer further back.
    while (this.#chunks.length > 1 && this.#chunks[0]!.endMs < this.#totalMs - 60_000) {
      this.#chunks.shift();
    }
    return start;
  }

  /** Milliseconds of audio added so far: where the next chunk starts. */
  get totalMs(): number {
    return this.#totalMs;
  }

  /** The next connection's audio begins at this stream position. */
  startConnection(positionMs: number): void {
    this.#connectionStartMs = positionMs;
  }

  /** Latency for a result ending `secondsIntoConnection` into the current connection. */
  latency(secondsIntoConnection: number, now: number): number | undefined {
    const position = this.#connectionStartMs + secondsIntoConnection * 1000;
    const chunk = this.#chunks.find((c) => c.endMs >= position - 0.5);
    return chunk ? Math.max(0, now - chunk.capturedAt) : undefined;
  }
}
