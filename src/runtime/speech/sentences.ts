/**
 * Splits streamed LLM text into sentences so speech can start on the first one instead of
 * after the whole reply. A sentence ends at . ! ? or a newline followed by whitespace, once
 * it is at least `minChars` long (so "Dr. Smith" style fragments stay joined).
 */
export class SentenceSplitter {
  readonly #minChars: number;
  #buffer = '';

  constructor(minChars = 12) {
    this.#minChars = minChars;
  }

  /** Adds text; returns the sentences it completed. */
  push(delta: string): string[] {
    this.#buffer += delta;
    const out: string[] = [];
    const boundary = /[.!?…]+["')\]]*\s+|\n+/g;
    let start = 0;
    for (let m = boundary.exec(this.#buffer); m; m = boundary.exec(this.#buffer)) {
      const end = m.index + m[0].length;
      const candidate = this.#buffer.slice(start, end);
      if (candidate.trim().length >= this.#minChars) {
        out.push(candidate.trim());
        start = end;
      }
    }
    this.#buffer = this.#buffer.slice(start);
    return out;
  }

  /** The rest, once the stream has ended. */
  flush(): string | undefined {
    const rest = this.#buffer.trim();
    this.#buffer = '';
    return rest.length > 0 ? rest : undefined;
  }
}

/**
 * The part of `pieces` heard after `playedMs`, given each piece's audio length: whole pieces,
 * then the words of the current one heard so far. Within a piece the words are assumed to
 * be heard at least as fast as its audio goes by, and at least at a typical speaking rate
 * (a short text over long audio — a pause, a slow voice — was heard early). Any audio heard
 * counts for at least one word, so an interrupted reply is never dropped from the history.
 */
export function spokenText(
  pieces: readonly { text: string; audioMs: number; complete?: boolean }[],
  playedMs: number,
): string {
  const heard: string[] = [];
  let remaining = playedMs;
  const rate = speakingRate(pieces);
  for (const piece of pieces) {
    // A piece still being synthesized is longer than the audio that has arrived so far.
    const length =
      piece.complete === false ? Math.max(piece.audioMs, piece.text.length * rate) : piece.audioMs;
    if (remaining >= length - 0.5) {
      heard.push(piece.text);
      remaining -= length;
      continue;
    }
    if (remaining > 0 && length > 0) {
      const byAudio = (remaining / length) * piece.text.length;
      const bySpeech = remaining / DEFAULT_MS_PER_CHAR;
      const words = wordsWithin(piece.text, Math.max(byAudio, bySpeech));
      if (words) heard.push(words);
    }
    break;
  }
  if (heard.length === 0 && playedMs > 0) {
    for (const piece of pieces) {
      const first = /\S+/.exec(piece.text)?.[0];
      if (first) {
        heard.push(first);
        break;
      }
    }
  }
  return heard.join(' ');
}

/** The whole words of `text` that end within its first `chars` characters. */
function wordsWithin(text: string, chars: number): string {
  if (chars >= text.length) return text;
  const cut = text.slice(0, Math.floor(chars) + 1);
  const lastSpace = cut.lastIndexOf(' ');
  return lastSpace > 0 ? text.slice(0, lastSpace).trimEnd() : '';
}

/** Typical speech is about 15 characters a second. */
export const DEFAULT_MS_PER_CHAR = 65;

/** Milliseconds per character, from the pieces whose audio is complete (else typical speech). */
function speakingRate(
  pieces: readonly { text: string; audioMs: number; complete?: boolean }[],
): number {
  let ms = 0;
  let chars = 0;
  for (const p of pieces) {
    if (p.complete === false || p.audioMs <= 0) continue;
    ms += p.audioMs;
    chars += p.text.length;
  }
  return chars > 0 ? ms / chars : DEFAULT_MS_PER_CHAR;
}
