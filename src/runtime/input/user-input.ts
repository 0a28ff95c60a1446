import { type AudioFrame, createFrame } from '../audio/frame.js';
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
import { type SpeechControls, TurnTaking, type TurnTakingDeps } from './turn-taking.js';

export interface UserInputDeps
  extends Pick<
    TurnTakingDeps,
    'commitTurn' | 'finalTranscript' | 'speechResumed' | 'busyChanged' | 'wordlessTurns'
  > {
  /** Also hears every microphone frame (a speech-to-speech model listens to the audio). */
  readonly tap: (frame: AudioFrame) => void;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly scope: Scope;
  readonly input: AudioInput | undefined;
  readonly turnDetection: TurnDetectionOptions;
  readonly interruption: InterruptionOptions;
  readonly speech: SpeechControls;
}

/** The speech models listening to the user (the active agent's, else the session's). */
export interface ListeningModels {
  readonly vad: VAD | undefined;
  readonly stt: STT | undefined;
}

const MAX_STAGE_RESTARTS = 5;

/**
 * Feeds microphone frames to the VAD and the STT (each its own stage, in its own scope) and
 * hands what they detect to the turn-taking policy. The stages are rebuilt when the active
 * agent brings its own STT or VAD. With no microphone (text mode, or scripted fakes that
 * ignore audio) the stages still run and end with the session.
 */
export class UserInputPipeline {
  readonly #deps: UserInputDeps;
  readonly #turns: TurnTaking;
  readonly #consumers = new Set<Channel<AudioFrame>>();
  #models: ListeningModels = { vad: undefined, stt: undefined };
  #stages: Scope | undefined;
  #muted = false;
  #transcribes = false;

  constructor(deps: UserInputDeps) {
    this.#deps = deps;
    this.#turns = new TurnTaking({
      clock: deps.clock,
      bus: deps.bus,
      turnDetection: deps.turnDetection,
      interruption: deps.interruption,
      speech: deps.speech,
      commitTurn: deps.commitTurn,
      finalTranscript: deps.finalTranscript,
      speechResumed: deps.speechResumed,
      busyChanged: deps.busyChanged,
      wordlessTurns: deps.wordlessTurns,
      transcribes: () => this.#transcribes,
    });
  }

  /** Someone is speaking, or a turn is about to be committed. */
  get busy(): boolean {
    return this.#turns.busy;
  }

  get turnState(): string {
    return this.#turns.state;
  }

  setMuted(muted: boolean): void {
    this.#muted = muted;
  }

  /** A model with its own turn detection heard the user start or stop (and commit). */
  serverSpeech(event: 'start' | 'end'): void {
    if (event === 'start') this.#turns.onVAD({ type: 'start_of_speech' });
    else this.#turns.serverTurnEnded();
  }

  /** The agent stopped speaking: words held back by the minimum-words gate become a turn. */
  agentStoppedSpeaking(): void {
    this.#turns.agentStoppedSpeaking();
  }

  /** Starts listening with `models`; the microphone pump runs until the session ends. */
  start(models: ListeningModels): void {
    const { scope } = this.#deps;
    scope.defer(() => this.#turns.stop());
    this.listenWith(models);
    const input = this.#deps.input;
    // The microphone runs whenever there is one: a stage or a speech-to-speech model hears it.
    if (input) void scope.spawn('microphone', () => this.#pump(input));
  }

  /** Listens with other models (an agent with its own STT/VAD became active). */
  listenWith(models: ListeningModels): void {
    if (models.vad === this.#models.vad && models.stt === this.#models.stt && this.#stages) return;
    this.#models = models;
    void this.#stages?.close(new Error('listening models changed'), this.#deps.clock, 0);
    const stages = this.#deps.scope.child('listening');
    this.#stages = stages;
    const { vad, stt } = models;
    this.#transcribes = stt !== undefined;
    if (vad) {
      const frames = this.#feed(stages);
      this.#consume(
        stages,
        'vad',
        vad.label,
        (ctx) => vad.detect(frames, ctx),
        (e: VADEvent) => this.#turns.onVAD(e),
      );
    }
    if (stt) {
      const frames = this.#feed(stages);
      this.#consume(
        stages,
        'stt',
        stt.label,
        (ctx) => stt.recognize(frames, ctx),
        (e: STTEvent) => this.#turns.onSTT(e, stt.label, vad === undefined),
      );
    }
  }

  get transcribes(): boolean {
    return this.#transcribes;
  }

  #feed(stages: Scope): Channel<AudioFrame> {
    const channel = new Channel<AudioFrame>();
    this.#consumers.add(channel);
    stages.defer(() => {
      this.#consumers.delete(channel);
      channel.close();
    });
    return channel;
  }

  async #pump(input: AudioInput): Promise<void> {
    const { scope } = this.#deps;
    try {
      for await (const frame of input.frames(scope.signal)) {
        // Muted, the models hear silence rather than nothing: speech that was under way
        // ends (the VAD and the server see its end) instead of staying open forever.
        const heard = this.#muted ? silenceLike(frame) : frame;
        for (const c of this.#consumers) c.push(heard);
        this.#deps.tap(heard);
      }
    } catch (err) {
      if (!scope.signal.aborted) this.#report('input', input.label, err, false);
    }
  }

  /**
   * Runs a stage until its scope ends. A stage that fails (a provider dropped its stream) is
   * reported and restarted with backoff, so the session stays usable.
   */
  #consume<E>(
    stages: Scope,
    stage: string,
    label: string,
    open: (ctx: { clock: Clock; signal: AbortSignal }) => AsyncIterable<E>,
    handle: (event: E) => void,
  ): void {
    const { clock } = this.#deps;
    void stages.spawn(stage, async (signal) => {
      for (let failures = 0; !signal.aborted; ) {
        try {
          for await (const event of open({ clock, signal })) handle(event);
          return;
        } catch (err) {
          if (signal.aborted) return;
          failures++;
          this.#report(stage, label, err, failures <= MAX_STAGE_RESTARTS);
          if (failures > MAX_STAGE_RESTARTS) return;
          await clock.sleep(250 * 2 ** failures, signal).catch(() => {});
        }
      }
    });
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

function silenceLike(frame: AudioFrame): AudioFrame {
  return createFrame(new Int16Array(frame.data.length), frame.sampleRate, frame.channels);
}
