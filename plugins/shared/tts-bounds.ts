import type { Clock } from '../../src/runtime/clock/clock.js';
import { UsageError } from '../../src/runtime/core/errors.js';
import { ProviderError } from '../../src/runtime/models/context.js';
import { type ErrorScope, timeoutError } from './errors.js';

/** How long a TTS plugin waits for audio, on the session clock. */
export interface TTSTimeoutOptions {
  /** Give up when a sentence's first audio has not come this long after it was asked for (10 000). */
  readonly firstByteTimeoutMs?: number;
  /** Give up when a sentence's audio stops this long before it is complete (5 000). */
  readonly stallTimeoutMs?: number;
}

export interface TTSTimeouts {
  readonly firstByteTimeoutMs: number;
  readonly stallTimeoutMs: number;
}

export const DEFAULT_TTS_TIMEOUTS: TTSTimeouts = {
  firstByteTimeoutMs: 10_000,
  stallTimeoutMs: 5000,
};

/** The timeouts with their defaults; a value that is not a positive number is a UsageError. */
export function ttsTimeouts(owner: string, options: TTSTimeoutOptions): TTSTimeouts {
  const check = (name: keyof TTSTimeouts): number => {
    const value = options[name] ?? DEFAULT_TTS_TIMEOUTS[name];
    if (typeof value !== 'number' || !(value > 0)) {
      throw new UsageError(`${owner}: ${name} must be a number of milliseconds > 0, got ${value}`);
    }
    return value;
  };
  return {
    firstByteTimeoutMs: check('firstByteTimeoutMs'),
    stallTimeoutMs: check('stallTimeoutMs'),
  };
}

export function firstByteTimeout(scope: ErrorScope, ms: number): ProviderError {
  return timeoutError(
    scope,
    `no audio within ${ms} ms of asking for a sentence`,
    'the speech server is overloaded or stuck: retry, or raise firstByteTimeoutMs',
  );
}

export function stallTimeout(scope: ErrorScope, ms: number): ProviderError {
  return timeoutError(
    scope,
    `the audio stopped for ${ms} ms in the middle of a sentence`,
    'the speech server stalled: retry, or raise stallTimeoutMs',
  );
}

/** A sentence answered with no audio at all: never a success, the listener heard nothing. */
export function emptyAudio(scope: ErrorScope, text: string, hint: string): ProviderError {
  const shown = text.length > 40 ? `${text.slice(0, 39)}…` : text;
  return new ProviderError(scope.provider, `no audio came back for "${shown}"`, {
    retryable: false,
    hint,
  });
}

/**
 * `promise`, or a rejection with `timeout()` if it has not settled within `ms` on `clock`.
 * The timer runs only while somebody waits here, so a consumer that stops reading (the
 * runtime holding synthesis back) never trips it.
 */
export function within<T>(
  clock: Clock,
  promise: Promise<T>,
  ms: number,
  timeout: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = clock.timer(ms, () => reject(timeout()));
    promise.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (err: unknown) => {
        cancel();
        reject(err);
      },
    );
  });
}

/** Whether a piece has anything to pronounce (a letter or a digit, in any script). */
export function isSpeakable(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}
