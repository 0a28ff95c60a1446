import { requireKey } from '../shared/keys.js';

/**
 * The openai key check on its own, without the SDK, so a command line can refuse a missing
 * key before it loads anything heavy.
 */
export type OpenAIRole = 'llm' | 'tts' | 'stt' | 'realtime';

/** What to use instead when there is no key (the CLI's offline choices). */
export const OPENAI_OFFLINE_ALTERNATIVES: Record<OpenAIRole, string> = {
  llm: 'use --llm demo (offline)',
  tts: 'use --tts espeak (offline)',
  stt: 'type your turns instead (--stt none, offline)',
  realtime: 'use --llm demo (offline)',
};

/** The key from `OPENAI_API_KEY`, or a UsageError naming the variable and the offline way. */
export function requireOpenAIKey(
  role: OpenAIRole = 'llm',
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return requireKey('OPENAI_API_KEY', OPENAI_OFFLINE_ALTERNATIVES[role], env);
}
