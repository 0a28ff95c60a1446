import OpenAI from 'openai';
import { ProviderError } from '../../src/runtime/models/context.js';
import {
  connectionError,
  type ErrorScope,
  protocolError,
  redact,
  retryAfterFrom,
  sanitizeCause,
  statusError,
  timeoutError,
} from '../shared/errors.js';
import type { OpenAIRole } from './keys.js';
import { requireOpenAIKey } from './keys.js';

export { OPENAI_OFFLINE_ALTERNATIVES, type OpenAIRole, requireOpenAIKey } from './keys.js';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** How to reach the API. Options win over `OPENAI_API_KEY` / `OPENAI_BASE_URL`. */
export interface OpenAIConnectionOptions {
  readonly apiKey?: string;
  /** e.g. `http://127.0.0.1:8080/v1` for a local OpenAI-compatible server. */
  readonly baseURL?: string;
  /** Where to read the variables from (defaults to `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface OpenAIConnection {
  readonly client: OpenAI;
  readonly scope: ErrorScope;
}

/**
 * An SDK client with retries off (the runtime owns retries: it knows whether audio was
 * already played) and SDK logging off (failures surface as ProviderErrors instead).
 */
export function connectOpenAI(
  options: OpenAIConnectionOptions,
  role: OpenAIRole,
): OpenAIConnection {
  const env = options.env ?? process.env;
  const apiKey = options.apiKey ?? requireOpenAIKey(role, env);
  const baseURL = options.baseURL ?? (env.OPENAI_BASE_URL?.trim() || OPENAI_DEFAULT_BASE_URL);
  const client = new OpenAI({ apiKey, baseURL, maxRetries: 0, logLevel: 'off' });
  const scope: ErrorScope = {
    provider: `openai.${role}`,
    keyVar: 'OPENAI_API_KEY',
    urlVar: 'OPENAI_BASE_URL',
    baseURL: withoutCredentials(baseURL),
    secrets: [apiKey],
  };
  return { client, scope };
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Any failure of an OpenAI call as a ProviderError (already-mapped errors pass through). */
export function openAIError(err: unknown, scope: ErrorScope): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return timeoutError(scope, 'no response from the server', 'retry, or check the network');
  }
  if (err instanceof OpenAI.APIConnectionError) return connectionError(scope, err);
  if (err instanceof OpenAI.APIError) {
    if (err.status === undefined) {
      // An error object inside the stream (`data: {"error": …}`): the server gave up mid-reply.
      return new ProviderError(
        scope.provider,
        `failed mid-stream: ${redact(err.message, scope.secrets)}`,
        {
          retryable: true,
          hint: 'the provider failed: retry in a moment',
          cause: sanitizeCause(err, scope.secrets),
        },
      );
    }
    const quota = err.status === 429 && err.code === 'insufficient_quota';
    const retryAfterMs = retryAfterFrom(err.headers);
    return statusError(scope, err.status, serverMessage(err), {
      cause: err,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(quota ? { retryable: false, hint: 'the account is out of quota: check billing' } : {}),
    });
  }
  if (err instanceof SyntaxError) return protocolError(scope, 'a stream chunk is not JSON', err);
  // undici reports a body cut mid-stream as a TypeError("terminated") with a socket cause.
  if (err instanceof TypeError && /terminated|other side closed|socket/i.test(err.message)) {
    return connectionError(scope, err);
  }
  return new ProviderError(scope.provider, 'failed unexpectedly', {
    retryable: false,
    hint: 'this looks like a bug: please report it with the session trace',
    cause: sanitizeCause(err, scope.secrets),
  });
}

function serverMessage(err: InstanceType<typeof OpenAI.APIError>): string | undefined {
  const body = err.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : undefined;
}
