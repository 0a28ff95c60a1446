import type { AudioFrame } from '../audio/frame.js';
import type { Clock } from '../clock/clock.js';
import { Channel } from '../core/channel.js';
import { errorMessage } from '../core/errors.js';
import type { Scope } from '../core/scope.js';
import type { EventBus } from '../events/emitter.js';
import { describeFailure } from '../events/failure.js';
import type { AudioInput } from '../io/audio-input.js';
import { ProviderError } from '../models/context.js';
import type { STT, STTEvent } from '../models/stt.js';
import type { VAD, VADEvent } from '../models/vad.js';
import type { InterruptionOptions, TurnDetectionOptions } from '../session/session-core.js';
import { type SpeechControls, type SpokenTurnTiming, TurnTaking } from './turn-taking.js';

export interface UserInputDeps {
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly scope: Scope;
  readonly input: AudioInput | undefined;
  readonly vad: VAD | undefined;
  readonly stt: STT | undefined;
  readonly turnDetection: TurnDetectionOptions;
  readonly interruption: InterruptionOptions;
  readonly speech: SpeechControls;
  commitTurn(text: string, meta: SpokenTurnTiming): void;
  busyChanged(): void;
}

const MAX_STAGE_RESTARTS = 5;

/**
 * Feeds microphone frames to the VAD and the STT (each its own stage) and hands what they
 * detect to the turn-taking policy. With no microphone (text mode, or scripted fakes that
 * ignore audio) the stages still run and end with the session.
 */
export class UserInputPipeline {
  readonly #deps: UserInputDeps;
  readonly #turns: TurnTaking;
  #muted = false;

  constructor(deps: UserInputDeps) {
    this.#deps = deps;
    this.#turns = new TurnTaking({ ...deps, transcribes: deps.stt !== undefined });
  }

  /** Someone is speaking, or a turn is about to be committed. */
  get busy(): boolean {
    return this.#turns.busy;
  }

  setMuted(muted: boolean): void {
    this.#muted = muted;
  }

  start(): void {
    const { vad, stt, scope, clock } = this.#deps;
    const consumers: Channel<AudioFrame>[] = [];
    const feed = () => {
      const channel = new Channel<AudioFrame>();
      consumers.push(channel);
      scope.defer(() => channel.close());
      return channel;
    };
    const ctx = { clock, signal: scope.signal };
    scope.defer(() => this.#turns.stop());
    if (vad) {
      const frames = feed();
      void this.#consume(
        'vad',
        vad.label,
        () => vad.detect(frames, ctx),
        (e: VADEvent) => this.#turns.onVAD(e),
      );
    }
    if (stt) {
      const frames = feed();
      void this.#consume(
        'stt',
        stt.label,
        () => stt.recognize(frames, ctx),
        (e: STTEvent) => this.#turns.onSTT(e, stt.label, vad === undefined),
      );
    }
    const input = this.#deps.input;
    if (input && consumers.length > 0) void this.#pump(input, consumers);
  }

  async #pump(input: AudioInput, consumers: Channel<AudioFrame>[]): Promise<void> {
    try {
      for await (const frame of input.frames(this.#deps.scope.signal)) {
        if (this.#muted) continue;
        for (const c of consumers) c.push(frame);
      }
    } catch (err) {
      if (!this.#deps.scope.signal.aborted) this.#report('input', input.label, err, false);
    }
  }

  /**
   * Runs a stage until the session ends. A stage that fails (a provider dropped its stream)
   * is reported and restarted with backoff, so the session stays usable.
   */
  async #consume<E>(
    stage: string,
    label: string,
    open: () => AsyncIterable<E>,
    handle: (event: E) => void,
  ): Promise<void> {
    const { scope, clock } = this.#deps;
    for (let failures = 0; !scope.signal.aborted; ) {
      try {
        for await (const event of open()) handle(event);
        return;
      } catch (err) {
        if (scope.signal.aborted) return;
        failures++;
        this.#report(stage, label, err, failures <= MAX_STAGE_RESTARTS);
        if (failures > MAX_STAGE_RESTARTS) return;
        await clock.sleep(250 * 2 ** failures, scope.signal).catch(() => {});
      }
    }
  }

  /** A stage failure: what failed and what to do; the stage restarts, so it is recoverable. */
  #report(stage: string, label: string, err: unknown, willRestart: boolean): void {
    const failure = describeFailure(err);
    const provider = err instanceof ProviderError;
    this.#deps.bus.emit('error', {
      code: `${stage}_failed`,
      message: provider ? failure.message : `${label}: ${errorMessage(err)}`,
      source: provider ? failure.source : label,
      recoverable: willRestart,
      ...(failure.status !== undefined ? { status: failure.status } : {}),
    });
  }
}
