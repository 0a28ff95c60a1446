import { z } from 'zod';
import { duration } from './schema-common.js';

/**
 * Per-text TTS responses: `models.tts.audio` maps a text piece to its audio length, or to
 * `{ duration, ttfb }` when that text also has its own time to first audio (LiveKit's fake
 * TTS responses are keyed by text this way).
 */
export const ttsAudioEntry = z.union(
  [
    duration,
    z
      .strictObject({ duration: duration.optional(), ttfb: duration.optional() })
      .refine((v) => v.duration !== undefined || v.ttfb !== undefined, {
        error: 'give `duration`, `ttfb` or both',
      }),
  ],
  { error: 'expected a duration, or { duration, ttfb }' },
);

export type TTSAudioEntry = z.output<typeof ttsAudioEntry>;

/** The entries as the fake TTS takes them: audio lengths and per-text times to first audio. */
export function splitTtsAudio(entries: Record<string, TTSAudioEntry>): {
  audioMs: Record<string, number>;
  ttfbMs: Record<string, number>;
} {
  const audioMs: Record<string, number> = {};
  const ttfbMs: Record<string, number> = {};
  for (const [text, entry] of Object.entries(entries)) {
    if (typeof entry === 'number') audioMs[text] = entry;
    else {
      if (entry.duration !== undefined) audioMs[text] = entry.duration;
      if (entry.ttfb !== undefined) ttfbMs[text] = entry.ttfb;
    }
  }
  return { audioMs, ttfbMs };
}
