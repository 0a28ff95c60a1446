import { errorMessage } from '../core/errors.js';
import { ProviderError } from '../models/context.js';

export interface Failure {
  readonly code: string;
  readonly message: string;
  readonly source: string;
  readonly status?: number;
}

/** Turns a model or pipeline error into what the `error` event says: what failed and what to do. */
export function describeFailure(err: unknown): Failure {
  if (err instanceof ProviderError) {
    const status = err.details.status;
    const where = status !== undefined ? ` (status ${status})` : '';
    const hint = err.details.hint ? `: ${err.details.hint}` : '';
    return {
      code: 'provider_error',
      message: `${err.provider} failed${where}: ${err.message}${hint}`,
      source: err.provider,
      ...(status !== undefined ? { status } : {}),
    };
  }
  return { code: 'speech_failed', message: errorMessage(err), source: 'runtime' };
}
