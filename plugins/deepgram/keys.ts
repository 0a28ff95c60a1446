import { requireKey } from '../shared/keys.js';

/**
 * The deepgram key check on its own, without the SDK, so a command line can refuse a missing
 * key before it loads anything heavy.
 */
export type DeepgramRole = 'stt' | 'tts';

/** What to use instead when there is no key (the CLI's offline choices). */
export const DEEPGRAM_OFFLINE_ALTERNATIVES: Record<DeepgramRole, string> = {
  stt: 'type your turns instead (--stt none, offline)',
  tts: 'use --tts espeak (offline)',
};

/** The key from `DEEPGRAM_API_KEY`, or a UsageError naming the variable and the offline way. */
export function requireDeepgramKey(
  role: DeepgramRole = 'stt',
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return requireKey('DEEPGRAM_API_KEY', DEEPGRAM_OFFLINE_ALTERNATIVES[role], env);
}
