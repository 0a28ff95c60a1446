import type { Clock } from '../clock/clock.js';

/** What every model call receives from the runtime. */
export interface ModelCallContext {
  /** The session clock: fakes use it for latencies, providers for timing metrics. */
  readonly clock: Clock;
  /** Aborted when the speech, turn or session that asked for this call is over. */
  readonly signal: AbortSignal;
}

/**
 * A provider failure, thrown by model implementations. The runtime turns it into an `error`
 * event whose message says what failed and what to do; it never contains credentials.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly provider: string,
    message: string,
    readonly details: {
      /** HTTP status or WebSocket close code, when there was one. */
      status?: number;
      /** Worth retrying (429, 5xx, refused connection) as long as nothing was played yet. */
      retryable?: boolean;
      /** Milliseconds the provider asked us to wait before retrying. */
      retryAfterMs?: number;
      /** What the user should do about it, e.g. "check OPENAI_API_KEY". */
      hint?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message);
  }
}
