import { type AudioFrame, frameDurationMs, resampleFrame } from '../audio/frame.js';
import type { Clock } from '../clock/clock.js';
import { type Deferred, deferred } from '../core/deferred.js';
import type { AudioOutput, PlaybackEvent } from '../io/audio-output.js';

export interface PlayResult {
  /** Milliseconds the user heard. */
  readonly playedMs: number;
  /** Milliseconds sent to the output. */
  readonly pushedMs: number;
  readonly interrupted: boolean;
  /** The output never reported; the position is the runtime's estimate. */
  readonly estimated: boolean;
}

/** How many segments given up on are remembered, so their late reports find them. */
const LATE_REPORTS_KEPT = 32;

/**
 * Owns the audio output: one segment at a time is written to it, and each segment's
 * playback report is matched to it in order. An output that never reports cannot hang
 * anybody: a segment settles at its expected end plus `settleMs`, and an interrupted one
 * within `settleMs` of the clear (contract C5). A segment given up on keeps its place in
 * the order, so a report that comes after the bound is matched to it and never credited
 * to the next speech.
 */
export class Playout {
  readonly output: AudioOutput;
  readonly #clock: Clock;
  readonly #settleMs: number;
  readonly #onSilentOutput: () => void;
  readonly #awaitingReport: Segment[] = [];
  readonly #awaitingStart: Segment[] = [];
  #warned = false;

  constructor(output: AudioOutput, clock: Clock, settleMs: number, onSilentOutput: () => void) {
    this.output = output;
    this.#clock = clock;
    this.#settleMs = settleMs;
    this.#onSilentOutput = onSilentOutput;
  }

  /** Subscribes to the output's reports; returns the unsubscribe. */
  attach(): () => void {
    return this.output.onPlayback((event) => this.#onReport(event));
  }

  /** A new segment of speech `speechId`; `onFirstOut` runs when its first frame is written. */
  begin(speechId: string, onFirstOut?: () => void): Segment {
    this.output.beginSegment?.(speechId);
    return new Segment(this, this.#clock, onFirstOut);
  }

  get settleMs(): number {
    return this.#settleMs;
  }

  /** @internal used by Segment */
  expectReport(segment: Segment): void {
    this.#awaitingReport.push(segment);
  }

  /** @internal used by Segment: its first frame is about to reach the output. */
  expectStart(segment: Segment): void {
    this.#awaitingStart.push(segment);
  }

  /** @internal used by Segment: it no longer waits for a start report (one may still come). */
  forgetStart(_segment: Segment): void {
    trimStale(this.#awaitingStart, (s) => s.startKnown);
  }

  /** @internal used by Segment when its bound passed without a report (one may still come) */
  giveUpOn(_segment: Segment): void {
    trimStale(this.#awaitingReport, (s) => s.settled);
    if (!this.#warned) {
      this.#warned = true;
      this.#onSilentOutput();
    }
  }

  #onReport(event: PlaybackEvent): void {
    // A report for a segment already given up on is that segment's, late: it changes nothing.
    if (event.type === 'started') {
      this.#awaitingStart.shift()?.startReported(this.#clock.now());
      return;
    }
    this.#awaitingReport.shift()?.reported(event.positionMs, event.interrupted);
  }
}

/** Drops the oldest given-up entries beyond the few kept for late reports. */
function trimStale(queue: Segment[], stale: (s: Segment) => boolean): void {
  let staleCount = queue.filter(stale).length;
  for (let i = 0; i < queue.length && staleCount > LATE_REPORTS_KEPT; ) {
    if (stale(queue[i]!)) {
      queue.splice(i, 1);
      staleCount--;
    } else i++;
  }
}

/** Someone waiting for playout to get within `ms` of the audio written so far. */
interface CatchUpWait {
  readonly ms: number;
  readonly done: Deferred<void>;
  cancelTimer: (() => void) | undefined;
}

export class Segment {
  readonly #playout: Playout;
  readonly #clock: Clock;
  readonly #result: Deferred<PlayResult> = deferred<PlayResult>();
  readonly #started: Deferred<number | undefined> = deferred<number | undefined>();
  readonly #catchUpWaits = new Set<CatchUpWait>();
  #onFirstOut: (() => void) | undefined;
  /** Frames held back before any reached the output (a possible false interruption). */
  #held: AudioFrame[] | undefined;
  #heldMs = 0;
  #finishOnRelease = false;
  #outcome: PlayResult | undefined;
  #pushedMs = 0;
  #startedAt: number | undefined;
  #pausedAt: number | undefined;
  #pausedTotal = 0;
  #ended = false;
  #playedAtClear: number | undefined;
  #cancelBound: (() => void) | undefined;

  constructor(playout: Playout, clock: Clock, onFirstOut?: () => void) {
    this.#playout = playout;
    this.#clock = clock;
    this.#onFirstOut = onFirstOut;
  }

  /** Some audio has reached the output. */
  get hasOutput(): boolean {
    return this.#startedAt !== undefined;
  }

  /** @internal the start report came, or will not be waited for any more. */
  get startKnown(): boolean {
    return this.#started.settled;
  }

  get result(): Promise<PlayResult> {
    return this.#result.promise;
  }

  /** The result, once settled (an output that reports on clear() settles it at once). */
  get outcome(): PlayResult | undefined {
    return this.#outcome;
  }

  get pushedMs(): number {
    return this.#pushedMs;
  }

  /**
   * When the output reported that it started playing this segment; undefined if it had not
   * said so by the time all audio was written or the segment was cleared.
   */
  get started(): Promise<number | undefined> {
    return this.#started.promise;
  }

  /** The result is known (played out, cleared and reported, or given up on). */
  get settled(): boolean {
    return this.#result.settled;
  }

  /** Milliseconds heard so far, estimated from the clock. */
  playedEstimate(): number {
    if (this.#playedAtClear !== undefined) return this.#playedAtClear;
    if (this.#startedAt === undefined) return 0;
    const until = this.#pausedAt ?? this.#clock.now();
    return Math.max(0, Math.min(this.#pushedMs, until - this.#startedAt - this.#pausedTotal));
  }

  /** Milliseconds written to the output and not heard yet (estimated from the clock). */
  unplayedMs(): number {
    return this.#pushedMs + this.#heldMs - this.playedEstimate();
  }

  /**
   * Resolves once at most `ms` of the audio written so far is left to play: at once if so
   * already, else on the clock when playout gets there. A paused segment holds the wait
   * (its position stands still); a cleared or settled one releases it; an abort of `signal`
   * rejects it with the signal's reason.
   */
  whenUnplayedAtMost(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const wait: CatchUpWait = { ms, done: deferred<void>(), cancelTimer: undefined };
    const onAbort = () => {
      this.#releaseCatchUp(wait);
      wait.done.reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void wait.done.promise
      .finally(() => signal.removeEventListener('abort', onAbort))
      .catch(() => {});
    this.#catchUpWaits.add(wait);
    this.#checkCatchUp(wait);
    return wait.done.promise;
  }

  push(frame: AudioFrame): void | Promise<void> {
    if (this.#ended) return;
    const output = this.#playout.output;
    const ready =
      frame.sampleRate === output.sampleRate ? frame : resampleFrame(frame, output.sampleRate);
    if (this.#held) {
      this.#held.push(ready);
      this.#heldMs += frameDurationMs(ready);
      return;
    }
    return this.#write(ready);
  }

  #write(frame: AudioFrame): void | Promise<void> {
    if (this.#startedAt === undefined) {
      this.#startedAt = this.#clock.now();
      this.#playout.expectStart(this);
      const onFirstOut = this.#onFirstOut;
      this.#onFirstOut = undefined;
      onFirstOut?.();
    }
    this.#pushedMs += frameDurationMs(frame);
    return this.#playout.output.captureFrame(frame);
  }

  /** All audio is written: play it out and report how much was heard. */
  finish(): Promise<PlayResult> {
    if (this.#ended) return this.result;
    this.#ended = true;
    if (this.#held) {
      // Held back: it plays out (and finishes) once released.
      this.#finishOnRelease = true;
      return this.result;
    }
    return this.#finishNow();
  }

  #finishNow(): Promise<PlayResult> {
    this.#stopWaitingForStart();
    if (this.#pushedMs === 0) {
      this.#settle(0, false, false);
      return this.result;
    }
    this.#playout.expectReport(this);
    this.#playout.output.flush();
    const remaining = Math.max(0, this.#pushedMs - this.playedEstimate());
    this.#armBound(remaining + this.#playout.settleMs, false);
    return this.result;
  }

  /** Stop now: the output is cleared in this tick; the result settles on its report or the bound. */
  clear(): Promise<PlayResult> {
    if (this.#result.settled) return this.result;
    const wasEnded = this.#ended && !this.#finishOnRelease;
    this.#ended = true;
    this.#held = undefined;
    this.#heldMs = 0;
    this.#stopWaitingForStart();
    this.#playedAtClear = this.playedEstimate();
    if (this.#pushedMs === 0) {
      this.#settle(0, true, false);
      return this.result;
    }
    if (!wasEnded) this.#playout.expectReport(this);
    this.#cancelBound?.();
    this.#releaseAllCatchUps();
    this.#playout.output.clear();
    if (!this.#result.settled) this.#armBound(this.#playout.settleMs, true);
    return this.result;
  }

  /**
   * Holds playback: before any audio reached the output, the audio is kept back here (any
   * output can do that); after, the output is asked to pause.
   */
  pause(): void {
    if (this.#pausedAt !== undefined || this.#held || this.#result.settled) return;
    if (this.#startedAt === undefined) {
      this.#held = [];
      return;
    }
    this.#pausedAt = this.#clock.now();
    // While paused the expected end moves; resume() re-arms the bound and the catch-up waits.
    this.#cancelBound?.();
    for (const wait of this.#catchUpWaits) wait.cancelTimer?.();
    this.#playout.output.pause?.();
  }

  resume(): void {
    if (this.#held) {
      this.#release();
      return;
    }
    if (this.#pausedAt === undefined) return;
    this.#pausedTotal += this.#clock.now() - this.#pausedAt;
    this.#pausedAt = undefined;
    this.#playout.output.resume?.();
    if (this.#cancelBound) {
      // The expected end moved by the pause: re-arm the bound from the new position.
      this.#cancelBound();
      const remaining = Math.max(0, this.#pushedMs - this.playedEstimate());
      this.#armBound(remaining + this.#playout.settleMs, false);
    }
    for (const wait of [...this.#catchUpWaits]) this.#checkCatchUp(wait);
  }

  /** Sends what was held back, in order; a finish asked for meanwhile happens now. */
  #release(): void {
    const frames = this.#held ?? [];
    this.#held = undefined;
    this.#heldMs = 0;
    for (const frame of frames) void this.#write(frame);
    if (this.#finishOnRelease) {
      this.#finishOnRelease = false;
      void this.#finishNow();
    }
    for (const wait of [...this.#catchUpWaits]) this.#checkCatchUp(wait);
  }

  /** @internal the output reported it started playing this segment */
  startReported(at: number): void {
    this.#started.resolve(at);
  }

  #stopWaitingForStart(): void {
    if (this.#started.settled) return;
    this.#playout.forgetStart(this);
    this.#started.resolve(undefined);
  }

  /** @internal the output reported this segment finished */
  reported(positionMs: number, interrupted: boolean): void {
    this.#settle(Math.min(positionMs, this.#pushedMs), interrupted, false);
  }

  #armBound(ms: number, interrupted: boolean): void {
    this.#cancelBound = this.#clock.timer(ms, () => {
      this.#playout.giveUpOn(this);
      this.#settle(interrupted ? this.playedEstimate() : this.#pushedMs, interrupted, true);
    });
  }

  /** Releases `wait` if playout is close enough, else re-checks when it should be. */
  #checkCatchUp(wait: CatchUpWait): void {
    wait.cancelTimer?.();
    wait.cancelTimer = undefined;
    const over = this.unplayedMs() - wait.ms;
    if (over <= 0 || this.#result.settled || this.#playedAtClear !== undefined) {
      this.#releaseCatchUp(wait);
      wait.done.resolve();
      return;
    }
    if (this.#pausedAt !== undefined || this.#held) return;
    // Rounded up, so the re-check finds playout there (no re-arming on a fraction of a ms).
    wait.cancelTimer = this.#clock.timer(Math.ceil(over), () => this.#checkCatchUp(wait));
  }

  #releaseCatchUp(wait: CatchUpWait): void {
    wait.cancelTimer?.();
    this.#catchUpWaits.delete(wait);
  }

  #releaseAllCatchUps(): void {
    for (const wait of [...this.#catchUpWaits]) {
      this.#releaseCatchUp(wait);
      wait.done.resolve();
    }
  }

  #settle(playedMs: number, interrupted: boolean, estimated: boolean): void {
    if (this.#result.settled) return;
    this.#releaseAllCatchUps();
    this.#cancelBound?.();
    this.#outcome = { playedMs, pushedMs: this.#pushedMs, interrupted, estimated };
    this.#result.resolve(this.#outcome);
  }
}
