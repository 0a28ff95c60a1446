import { ProviderError } from '../../src/runtime/models/context.js';

/** What a plugin knows when it turns a failure into a ProviderError. */
export interface ErrorScope {
  /** e.g. `openai.llm`, `deepgram.stt`. */
  readonly provider: string;
  /** Environment variable holding the key, named in hints (never its value). */
  readonly keyVar: string;
  /** Environment variable holding the base URL, named in hints. */
  readonly urlVar: string;
  /** The base URL in use, without credentials; used to say where a connection went. */
  readonly baseURL: string;
  /** Strings that must never appear in a message (the API key). */
  readonly secrets: readonly string[];
}

const REDACTED = '[redacted]';
// Credentials an SDK might echo from request headers, whatever the key is.
const HEADER_PATTERNS = [
  /(authorization["']?\s*[:=]\s*["']?)(bearer|token)\s+[^\s"',}]+/gi,
  /\b(Bearer|Token)\s+[A-Za-z0-9._~+/=-]{16,}/g,
];

/** Removes every secret, and anything shaped like an auth header, from `text`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  out = out.replace(HEADER_PATTERNS[0]!, `$1$2 ${REDACTED}`);
  out = out.replace(HEADER_PATTERNS[1]!, `$1 ${REDACTED}`);
  return out;
}

/**
 * A plain, redacted copy of an error to attach as `cause`: SDK errors carry request objects,
 * sockets and headers that would print the key if somebody logged the cause in depth.
 */
export function sanitizeCause(err: unknown, secrets: readonly string[]): Error {
  const source = err instanceof Error ? err : new Error(String(err));
  const copy = new Error(redact(source.message, secrets));
  copy.name = source.name;
  const code = errorCode(err);
  if (code) Object.assign(copy, { code });
  return copy;
}

/** The first `code` (e.g. ECONNREFUSED) found on an error or its causes. */
export function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 6 && current instanceof Object; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    const message = (current as { message?: unknown }).message;
    if (typeof message === 'string') {
      const match = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|EPIPE)\b/.exec(
        message,
      );
      if (match) return match[1];
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** `host:port` of the base URL, for "connection refused at …" (credentials stripped). */
export function hostOf(baseURL: string): string {
  try {
    const url = new URL(baseURL);
    return url.host;
  } catch {
    return 'the configured host';
  }
}

function truncate(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** Whether a status is worth retrying, and what to tell the user about it. */
export function classifyStatus(
  scope: ErrorScope,
  status: number,
): { retryable: boolean; hint: string } {
  if (status === 401) return { retryable: false, hint: `check ${scope.keyVar}` };
  if (status === 403) {
    return { retryable: false, hint: `${scope.keyVar} lacks access to this model or project` };
  }
  if (status === 404) {
    return { retryable: false, hint: `check the model name and ${scope.urlVar}` };
  }
  if (status === 408) return { retryable: true, hint: 'the request timed out: retry' };
  if (status === 429) {
    return { retryable: true, hint: 'rate limited: wait and retry, or raise your quota' };
  }
  if (status >= 500) return { retryable: true, hint: 'the provider failed: retry in a moment' };
  return { retryable: false, hint: 'the request was rejected: check the model name and options' };
}

export function statusError(
  scope: ErrorScope,
  status: number,
  serverMessage: string | undefined,
  extra: { retryAfterMs?: number; cause?: unknown; hint?: string; retryable?: boolean } = {},
): ProviderError {
  const base = classifyStatus(scope, status);
  const detail = serverMessage ? `: ${truncate(redact(serverMessage, scope.secrets))}` : '';
  return new ProviderError(scope.provider, `HTTP ${status}${detail}`, {
    status,
    retryable: extra.retryable ?? base.retryable,
    hint: extra.hint ?? base.hint,
    ...(extra.retryAfterMs !== undefined ? { retryAfterMs: extra.retryAfterMs } : {}),
    ...(extra.cause !== undefined ? { cause: sanitizeCause(extra.cause, scope.secrets) } : {}),
  });
}

/** A failure to reach the server at all (refused, reset, DNS). */
export function connectionError(scope: ErrorScope, err: unknown): ProviderError {
  const code = errorCode(err);
  const where = hostOf(scope.baseURL);
  const cause = sanitizeCause(err, scope.secrets);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    const what = code === 'ECONNREFUSED' ? 'connection refused' : 'host not found';
    return new ProviderError(scope.provider, `could not connect: ${what} at ${where}`, {
      retryable: true,
      hint: `is ${scope.urlVar} right? (using ${where})`,
      cause,
    });
  }
  const reason = code ?? truncate(redact(cause.message, scope.secrets));
  return new ProviderError(scope.provider, `lost the connection (${reason})`, {
    retryable: true,
    hint: 'the network or the server dropped the connection: retry',
    cause,
  });
}

export function timeoutError(scope: ErrorScope, what: string, hint: string): ProviderError {
  return new ProviderError(scope.provider, `timed out: ${what}`, {
    retryable: true,
    hint,
  });
}

/** The server said something we cannot parse: a proxy, a wrong base URL or a protocol change. */
export function protocolError(scope: ErrorScope, what: string, cause?: unknown): ProviderError {
  return new ProviderError(scope.provider, `malformed response: ${what}`, {
    retryable: false,
    hint: `is ${scope.urlVar} pointing at a real ${scope.provider.split('.')[0]} endpoint?`,
    ...(cause !== undefined ? { cause: sanitizeCause(cause, scope.secrets) } : {}),
  });
}

/**
 * Milliseconds from `retry-after-ms` or `retry-after` (seconds, or an HTTP date measured
 * against the response's own `date` header, so no wall clock is read here).
 */
export function retryAfterFrom(headers: Headers | undefined | null): number | undefined {
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(raw);
  const now = Date.parse(headers.get('date') ?? '');
  if (Number.isFinite(at) && Number.isFinite(now)) return Math.max(0, at - now);
  return undefined;
}
