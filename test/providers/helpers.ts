import { inspect } from 'node:util';
import { expect } from 'vitest';
import type { Clock } from '../../src/runtime/clock/clock.js';
import { RealClock } from '../../src/runtime/clock/real-clock.js';
import { type ModelCallContext, ProviderError } from '../../src/runtime/models/context.js';

/** A key that must never show up in any error, hint, cause or event. */
export const SECRET_KEY = 'sk-test-SECRET-3f9a1c77e2b84d05';

export function testContext(clock: Clock = new RealClock()): ModelCallContext & {
  abort: (reason?: unknown) => void;
} {
  const controller = new AbortController();
  return { clock, signal: controller.signal, abort: (reason) => controller.abort(reason) };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Runs `iterable` to its end and returns what it threw (fails the test if it did not). */
export async function failureOf<T>(
  iterable: AsyncIterable<T>,
): Promise<{ error: unknown; items: T[] }> {
  const items: T[] = [];
  try {
    for await (const item of iterable) items.push(item);
  } catch (error) {
    return { error, items };
  }
  throw new Error(`expected a failure, got ${items.length} items and a normal end`);
}

/** Asserts a ProviderError with exactly these fields, and no trace of the key anywhere. */
export function expectProviderError(
  error: unknown,
  expected: {
    provider: string;
    status?: number | undefined;
    retryable: boolean;
    retryAfterMs?: number | undefined;
    hint: string | RegExp;
    message?: RegExp;
  },
): ProviderError {
  expect(error).toBeInstanceOf(ProviderError);
  const err = error as ProviderError;
  expect(err.provider).toBe(expected.provider);
  expect(err.details.status).toBe(expected.status);
  expect(err.details.retryable).toBe(expected.retryable);
  expect(err.details.retryAfterMs).toBe(expected.retryAfterMs);
  if (typeof expected.hint === 'string') expect(err.details.hint).toBe(expected.hint);
  else expect(err.details.hint).toMatch(expected.hint);
  if (expected.message) expect(err.message).toMatch(expected.message);
  expectNoSecret(err);
  return err;
}

/** The key appears nowhere: not in the message, hint, cause, nor a deep inspection. */
export function expectNoSecret(value: unknown, secret = SECRET_KEY): void {
  const dump = inspect(value, { depth: 20, showHidden: true, getters: false });
  expect(dump).not.toContain(secret);
  if (value instanceof ProviderError) {
    expect(value.message).not.toContain(secret);
    expect(value.details.hint ?? '').not.toContain(secret);
  }
}

/** An async iterable the test feeds by hand (text pieces, audio frames). */
export class Feed<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #waiter: ((r: IteratorResult<T>) => void) | undefined;
  #done = false;

  push(...items: T[]): void {
    for (const item of items) {
      if (this.#waiter) {
        const w = this.#waiter;
        this.#waiter = undefined;
        w({ value: item, done: false });
      } else this.#items.push(item);
    }
  }

  end(): void {
    this.#done = true;
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.#items.length > 0)
          return Promise.resolve({ value: this.#items.shift() as T, done: false });
        if (this.#done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.#waiter = resolve;
        });
      },
      return: () => {
        this.#done = true;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

/** Text pieces as a TTS receives them: an async stream. */
export async function* pieces(...texts: string[]): AsyncGenerator<string> {
  yield* texts;
}
