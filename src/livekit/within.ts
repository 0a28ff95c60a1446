/** The one helper for bounded waits on network work in the LiveKit adapter. */

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** Settles like `p`, or rejects with a TimeoutError after `ms` (`p` keeps running). */
export function settleWithin<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
