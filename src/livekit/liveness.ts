/**
 * Whether the LiveKit server still answers. rtc-node notices a closed connection at once, but
 * a server that stops answering without closing anything (it hangs, its host or the network
 * goes away) is only noticed when the signal ping times out, 10 s or more later; until then
 * the room looks connected. The peer connection knows sooner: WebRTC sends ICE consent checks
 * to the server every few seconds and, when one goes unanswered, retransmits it several times
 * within a fraction of a second. Several checks sent since the last answer means the server is
 * not answering. `getRtcStats()` exposes both counts on each candidate pair.
 */

/** Consent checks sent and answered, summed over the peer connections' nominated pairs. */
export interface ConsentCounts {
  readonly requestsSent: number;
  readonly responsesReceived: number;
}

export type Liveness = 'answering' | 'not_answering';

export interface LivenessOptions {
  /** Checks sent without an answer before the server counts as not answering (default 3). */
  readonly unansweredChecks?: number;
}

/** Folds successive counts into a verdict; counts that go down mean a new peer connection. */
export class ServerLiveness {
  readonly #limit: number;
  #last: ConsentCounts | null = null;
  /** Checks sent but not answered as of the last answer: the allowance in flight. */
  #baseline = 0;
  #state: Liveness = 'answering';

  constructor(options: LivenessOptions = {}) {
    this.#limit = options.unansweredChecks ?? 3;
  }

  get state(): Liveness {
    return this.#state;
  }

  update(counts: ConsentCounts): Liveness {
    const last = this.#last;
    this.#last = counts;
    const unanswered = counts.requestsSent - counts.responsesReceived;
    const reset =
      last === null ||
      counts.requestsSent < last.requestsSent ||
      counts.responsesReceived < last.responsesReceived;
    if (reset || counts.responsesReceived > (last?.responsesReceived ?? 0)) {
      this.#baseline = unanswered;
      this.#state = 'answering';
    } else if (unanswered - this.#baseline >= this.#limit) {
      this.#state = 'not_answering';
    }
    return this.#state;
  }
}

/** The nominated candidate pairs' consent counts in an rtc-node `getRtcStats()` result. */
export function consentCounts(stats: {
  publisherStats?: readonly { stats?: { case?: string; value?: unknown } }[];
  subscriberStats?: readonly { stats?: { case?: string; value?: unknown } }[];
}): ConsentCounts | null {
  let requestsSent = 0;
  let responsesReceived = 0;
  let pairs = 0;
  for (const entry of [...(stats.publisherStats ?? []), ...(stats.subscriberStats ?? [])]) {
    if (entry.stats?.case !== 'candidatePair') continue;
    const pair = (entry.stats.value as { candidatePair?: PairStats }).candidatePair;
    if (!pair?.nominated) continue;
    pairs++;
    requestsSent += Number(pair.requestsSent ?? 0);
    responsesReceived += Number(pair.responsesReceived ?? 0);
  }
  return pairs === 0 ? null : { requestsSent, responsesReceived };
}

interface PairStats {
  nominated?: boolean;
  requestsSent?: bigint | number;
  responsesReceived?: bigint | number;
}

export interface LivenessWatchOptions {
  /** Reads the counts (rtc-node `getRtcStats()` through `consentCounts`); null: none yet. */
  read(): Promise<ConsentCounts | null>;
  intervalMs: number;
  /** Called with each verdict that differs from the one before. */
  onChange(liveness: Liveness): void;
}

/** Reads the counts every `intervalMs` (never two reads at once); returns the stop function. */
export function watchLiveness(options: LivenessWatchOptions): () => void {
  let judge = new ServerLiveness();
  let reading = false;
  let last: Liveness = 'answering';
  const timer = setInterval(() => {
    if (reading) return;
    reading = true;
    options
      .read()
      .then((counts) => {
        if (!counts) return;
        const now = judge.update(counts);
        if (now === last) return;
        last = now;
        options.onChange(now);
      })
      .catch(() => undefined)
      .finally(() => {
        reading = false;
      });
  }, options.intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    judge = new ServerLiveness();
  };
}
