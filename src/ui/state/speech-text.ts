/**
 * Splits a speech handle's text into what the user heard, what is still to come, and what
 * an interruption cut off. Live handles map play time onto words through `speech.segment`
 * audio lengths; done handles use the runtime's own `spokenText`.
 */
import type { SpeechItem } from './speech.js';

export interface SpeechTextParts {
  spoken: string;
  pending: string;
  /** Text that will never be said: the handle ended before it (interrupted or failed). */
  cut: string;
  playedMs: number;
}

export function playedMsAt(item: SpeechItem, now: number): number {
  const running = item.playingSince === null ? 0 : Math.max(0, now - item.playingSince);
  const played = item.playedMs + running;
  if (item.state === 'done' || item.segments.length === 0) return played;
  // Playback cannot run ahead of the audio produced so far.
  const produced = item.segments.reduce((sum, s) => sum + s.audioMs, 0);
  return Math.min(played, produced);
}

/** Index in `text` reached after `playedMs` of audio, cut back to a word boundary. */
export function charsPlayed(
  text: string,
  segments: readonly { text: string; audioMs: number }[],
  playedMs: number,
): number {
  let cursor = 0;
  let remaining = playedMs;
  for (const seg of segments) {
    const piece = seg.text.trim();
    const found = piece === '' ? -1 : text.indexOf(piece, cursor);
    const start = found < 0 ? cursor : found;
    const end = Math.min(text.length, start + piece.length);
    if (remaining >= seg.audioMs) {
      cursor = end;
      remaining -= seg.audioMs;
      continue;
    }
    if (remaining <= 0 || seg.audioMs <= 0) return cursor;
    const guess = start + Math.floor((remaining / seg.audioMs) * (end - start));
    // A half-heard word counts as not heard yet.
    const space = text.lastIndexOf(' ', guess);
    return space >= start ? space + 1 : cursor;
  }
  return cursor;
}

/** Where `prefix` ends inside `text`, tolerating whitespace differences; -1 if it is not a prefix. */
export function prefixEnd(text: string, prefix: string): number {
  let i = 0;
  let j = 0;
  while (j < prefix.length) {
    const p = prefix[j] as string;
    if (/\s/.test(p)) {
      j++;
      continue;
    }
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (text[i] !== p) return -1;
    i++;
    j++;
  }
  return i;
}

export function speechTextParts(item: SpeechItem, now: number): SpeechTextParts {
  const playedMs = playedMsAt(item, now);
  if (item.state === 'done') {
    const spoken = item.spokenText ?? '';
    if (item.end === 'completed')
      return { spoken: item.text || spoken, pending: '', cut: '', playedMs };
    const at = prefixEnd(item.text, spoken);
    const cut = at >= 0 ? item.text.slice(at) : item.text.slice(spoken.length);
    return { spoken, pending: '', cut: cut.trim(), playedMs };
  }
  const at = charsPlayed(item.text, item.segments, playedMs);
  return { spoken: item.text.slice(0, at), pending: item.text.slice(at), cut: '', playedMs };
}
