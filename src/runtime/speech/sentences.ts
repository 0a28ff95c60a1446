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
 * The part of `pieces` heard after `playedMs`, given each piece's audio length: whole
 * pieces, then a proportional share of the current one, cut back to a word boundary.
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
      const chars = Math.floor((remaining / length) * piece.text.length);
      const cut = piece.text.slice(0, chars);
      const lastSpace = cut.lastIndexOf(' ');
      const words = lastSpace > 0 ? cut.slice(0, lastSpace) : '';
      if (words) heard.push(words);
    }
    break;
  }
  return heard.join(' ');
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
