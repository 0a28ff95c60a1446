import type { Agent } from '../agents/agent.js';
import type { Activity } from '../agents/agent-stack.js';
import { type Actor, currentActor, enclosingToolOf, type WaitNode } from '../core/actor.js';
import { type Deferred, deferred } from '../core/deferred.js';
import { InterruptedError } from '../core/errors.js';
import type { Scope } from '../core/scope.js';
import { describeFailure } from '../events/failure.js';
import type { InterruptCause } from '../events/types.js';
import type { RealtimeModel, RealtimeSession } from '../models/realtime.js';
import type { SessionCore } from '../session/session-core.js';
import { generateStep } from './generation.js';
import type { Segment } from './playout.js';
import type { Preemption } from './preemption.js';
import { truncateHeard } from './realtime-step.js';
import { SpeechHandle } from './speech-handle.js';
import { SpeechHandoffs } from './speech-handoffs.js';
import { SpeechPriority } from './speech-queue.js';
import type { SpeechRequest } from './speech-request.js';
import { canInterrupt, holdsOutput, isPaused, SpeechStateMachine } from './speech-state.js';
import { SpeechTools, type StepToolResult } from './speech-tools.js';
import { SpeechTranscript } from './speech-transcript.js';
import { planStep } from './step-source.js';
import { type StepTiming, TurnLatency } from './turn-latency.js';

/**
 * Drives one speech handle through its steps. It owns the handle's state machine; the
 * interrupt path (`interrupt()`) is the one place an interruption is handled: it moves the
 * state, aborts the speech's scope (so model calls and tools stop because their scope
 * closed) and clears the output in the same tick.
 */
export class SpeechRun {
  readonly id: string;
  readonly handle: SpeechHandle;
  readonly actor: Actor;
  readonly #core: SessionCore;
  readonly #req: SpeechRequest;
  readonly #machine: SpeechStateMachine;
  readonly #scope: Scope;
  readonly #done: Deferred<void> = deferred<void>();
  readonly #stepPlayouts: Deferred<void>[] = [];
  readonly #stepNodes: WaitNode[] = [];
  readonly #tools: SpeechTools;
  readonly #latency: TurnLatency | undefined;
  readonly #handoffs: SpeechHandoffs;
  readonly #transcript: SpeechTranscript;
  #priority: number;
  #step = 0;
  #segment: Segment | undefined;
  /** The first audio of this step is kept back while the user speaks (no state change). */
  #firstAudioHeld = false;
  /** The realtime model and connection of the current step, if it speaks through one. */
  #realtime: { session: RealtimeSession; model: RealtimeModel } | undefined;
  /** Why this speech stopped early: one error for its scope, its step waiters and its close. */
  #interruption: InterruptedError | undefined;

  constructor(core: SessionCore, req: SpeechRequest) {
    this.#core = core;
    this.#req = req;
    this.#priority = req.priority;
    this.id = core.ids.next('speech');
    this.#machine = new SpeechStateMachine(this.id, core.bus);
    // The turn belongs to the session, not to its agent: a task that completes or an agent
    // handed off still finishes saying what it was saying.
    this.#scope = core.scope.child(this.id);
    this.#latency = req.userTurn ? new TurnLatency(req.userTurn, this.id, core.bus) : undefined;
    this.#handoffs = new SpeechHandoffs(core.history);
    this.#transcript = new SpeechTranscript(core.history, req.addToHistory);
    this.actor = {
      label: this.id,
      kind: 'speech',
      parent: req.activity.actor,
      runtime: core.runtime,
      speechId: this.id,
      agentId: req.activity.id,
    };
    const machine = this.#machine;
    this.handle = new SpeechHandle(
      { id: this.id, source: req.source, allowInterruptions: req.allowInterruptions },
      {
        get state() {
          return machine.state;
        },
        get end() {
          return machine.end;
        },
        interrupt: (force) => {
          this.interrupt(force, currentActor() ? 'agent' : 'api');
        },
        waitForPlayout: () => this.#waitForPlayout(),
      },
    );
    this.#tools = new SpeechTools({
      deps: Object.assign({}, core.toolDeps, { ids: core.ids, tracker: core.activity }),
      speechId: this.id,
      speechActor: this.actor,
      handle: this.handle,
      agent: req.activity.agent,
      agentId: req.activity.id,
      speechSignal: this.#scope.signal,
      agentSignal: req.activity.scope.signal,
      isInterrupted: () => this.handle.interrupted,
      waitForStep: (step) => this.#waitForStep(step),
      handoffRequestedBy: (toolCallId) => this.#handoffs.requestedBy(toolCallId),
      deferHandoff: (outcome) => this.#handoffs.defer(outcome),
      requestDeferredReply: (toolCallId) => core.deferredReply(req.activity, toolCallId),
    });
  }

  get priority(): number {
    return this.#priority;
  }

  get state() {
    return this.#machine.state;
  }

  get activity(): Activity {
    return this.#req.activity;
  }

  get allowInterruptions(): boolean {
    return this.#req.allowInterruptions;
  }

  /** A preemptive reply it may use; dropped once its first step has started. */
  get preemption(): Preemption | undefined {
    return this.#req.preemption;
  }

  /** Announces the speech and puts it in the queue. */
  start(): void {
    const req = this.#req;
    this.#core.bus.emit('speech.created', {
      speechId: this.id,
      agentId: req.activity.id,
      source: req.source,
      origin: req.origin,
      allowInterruptions: req.allowInterruptions,
      priority: this.#priority,
      text: req.content.kind === 'say' ? req.content.text : null,
      originToolCallId: req.requester?.toolCallId ?? null,
      originTaskId: req.activity.kind === 'task' ? req.activity.id : null,
      userTurnId: req.userTurn?.id ?? null,
    });
    this.#core.activity.speechStarted(this);
    this.#queueStep(0);
    const before = req.before;
    if (!before) {
      this.#core.queue.enqueue(this);
      return;
    }
    // A hook (onUserTurnCompleted) runs first. It may itself wait for speech, so this reply
    // joins the queue only once the hook is done, never holding the output while it waits.
    // The wait is recorded: if the hook waits for the user, so does this reply (idle).
    void this.#scope.spawn('turn hook', async () => {
      await this.#core.waits.track(this.actor, [before.node], 'hook', before.promise);
      this.#latency?.hookDone(this.#core.clock.now());
      if (this.#machine.state === 'queued') this.#core.queue.enqueue(this);
    });
  }

  /**
   * Interrupts the speech unless it may not be (without `force`) or it is shielded: a speech
   * whose tool awaits a running task is never interrupted by input meant for that task (C3).
   */
  interrupt(force: boolean, by: InterruptCause): boolean {
    if (!canInterrupt(this.#machine.state)) return false;
    if (!force && !this.#req.allowInterruptions) return false;
    if (by !== 'close' && this.#core.stack.isAwaitedByTaskOf(this.actor)) return false;
    this.#machine.interrupt({ step: this.#step, by, force });
    this.#scope.abort(this.#interrupted());
    this.#req.preemption?.end('the reply was interrupted');
    this.#core.queue.remove(this);
    const segment = this.#segment;
    let settled: Promise<unknown> = Promise.resolve();
    let heardMs = 0;
    if (segment && !segment.settled) {
      settled = segment.clear();
      this.#core.bus.emit('output.cleared', { speechId: this.id, output: this.#core.outputLabel });
      // Known now from the output's report, else the clock's estimate: what was heard is in
      // the history (and the model's copy is cut) before anything else asks the model.
      heardMs = segment.outcome?.playedMs ?? segment.playedEstimate();
    }
    if (this.#realtime) {
      const link = this.#core.realtime;
      truncateHeard(this.#realtime, this.#transcript.pieces, heardMs, (s, id, ms) =>
        link.truncate(s, id, ms),
      );
    }
    this.#transcript.endStep(heardMs, true);
    this.#core.queue.release(this);
    // The segment settles on the output's report or its own bound, and never fails.
    void settled.then(() => this.#finish('interrupted', null));
    return true;
  }

  /** The user started speaking: a reply with no audio out yet keeps it back for now. */
  holdFirstAudio(): void {
    const segment = this.#segment;
    if (this.#machine.state !== 'generating' || !segment || segment.hasOutput) return;
    segment.pause();
    this.#firstAudioHeld = true;
  }

  /** It was short noise: the reply plays as soon as its audio is there. */
  releaseFirstAudio(): void {
    if (!this.#firstAudioHeld) return;
    this.#firstAudioHeld = false;
    if (this.#machine.state === 'generating') this.#segment?.resume();
  }

  /**
   * Holds playback (a possible false interruption): before the first audio the audio is
   * kept back (any output); while playing the output must be able to pause.
   */
  pause(): boolean {
    const segment = this.#segment;
    const state = this.#machine.state;
    if (!segment || !holdsOutput(state) || isPaused(state)) return false;
    if (segment.hasOutput && !this.#core.playout.output.canPause) return false;
    this.#firstAudioHeld = false;
    segment.pause();
    this.#machine.pause({ step: this.#step, playedMs: segment.playedEstimate() });
    return true;
  }

  resume(): void {
    const segment = this.#segment;
    if (!isPaused(this.#machine.state) || !segment) return;
    const heardBefore = segment.hasOutput;
    if (heardBefore) this.#machine.resume({ step: this.#step });
    else this.#machine.unhold({ step: this.#step });
    // Released frames reach the output now: the first one moves this speech to playing.
    segment.resume();
  }

  /** A tool of this speech called `updateAgent()`: the handoff happens when the turn ends. */
  requestHandoff(tool: Actor, agent: Agent): void {
    if (tool.toolCallId) this.#handoffs.request(tool.toolCallId, agent);
  }

  /** Called by the queue when this speech gets the audio output. */
  async runStep(): Promise<void> {
    const step = this.#step;
    if (this.#machine.stopped) return;
    this.#machine.generate({ step });
    // The place of this step's words: they were authorised to play now (LiveKit's order).
    const timing: StepTiming = { startedAt: this.#core.clock.now() };
    const segment = this.#core.playout.begin(this.id, () => this.#onFirstOut(step, timing));
    this.#segment = segment;
    this.#firstAudioHeld = false;
    this.#latency?.stepStarted(timing.startedAt);
    // Its words take their place in the history now: they were authorised to play.
    const pieces = this.#transcript.beginStep();
    const tools: Promise<StepToolResult>[] = [];
    const toolIds: string[] = [];
    try {
      const source = planStep(this.#core, this.#req, step, this.id);
      if (source.realtime) this.#realtime = source.realtime;
      await generateStep(source.source, {
        pieces,
        clock: this.#core.clock,
        bus: this.#core.bus,
        speechId: this.id,
        step,
        signal: this.#scope.signal,
        tts: source.tts,
        segment,
        retry: this.#core.options.retry,
        maxSynthesisAheadMs: this.#core.options.maxSynthesisAheadMs,
        timing,
        onFirstAudio: () => {},
        onToolCall: (call) => {
          const toolCallId = this.#core.ids.next('fc');
          toolIds.push(toolCallId);
          tools.push(this.#tools.start(call, step, toolCallId));
        },
      });
    } catch (err) {
      if (this.#machine.stopped) return;
      this.#fail(err);
      return;
    }
    if (this.#machine.stopped) return;
    const played = await segment.finish();
    if (this.#machine.stopped) return;
    this.#transcript.endStep(played.playedMs, false);
    this.#stepPlayouts[step]?.resolve();
    this.#core.queue.release(this);
    if (tools.length > 0) await this.#afterTools(step, tools, toolIds);
    else this.#finish('completed', null);
  }

  async #afterTools(step: number, tools: Promise<StepToolResult>[], toolIds: string[]) {
    this.#machine.awaitTools({ step, toolCallIds: toolIds });
    this.#core.activity.changed();
    const results = await Promise.all(tools);
    if (this.#machine.stopped) return;
    const next = step + 1;
    const wanted = results.some((r) => r.replyRequired);
    // A handoff asked for by a tool ends the turn: the next agent speaks for itself.
    const possible =
      next <= this.#core.options.maxToolSteps &&
      this.#core.stack.contains(this.#req.activity) &&
      !this.#handoffs.any &&
      !this.#core.closing;
    if (!wanted || !possible) {
      this.#finish('completed', null);
      return;
    }
    this.#step = next;
    this.#priority = SpeechPriority.high;
    this.#queueStep(next);
    this.#core.queue.enqueue(this);
  }

  #queueStep(step: number): void {
    this.#stepPlayouts[step] = deferred<void>();
    this.#stepNodes[step] = { kind: 'step', label: `${this.id} step ${step}` };
    this.#machine.queue({ step });
  }

  /** The first frame of a step reached the output: the speech is playing. */
  #onFirstOut(step: number, timing: StepTiming): void {
    if (this.#machine.state !== 'generating') return;
    this.#machine.play({ step });
    const latency = this.#latency;
    const segment = this.#segment;
    if (latency && segment) void segment.started.then((at) => latency.firstAudio(timing, at));
  }

  /** ctx.waitForPlayout(): the step before the tool; rejects at once on interruption (C5). */
  #waitForStep(step: number): Promise<void> {
    const playout = this.#stepPlayouts[step]?.promise ?? Promise.resolve();
    const node = this.#stepNodes[step];
    return node ? this.#core.waits.track(currentActor(), [node], 'playout', playout) : playout;
  }

  /** handle.waitForPlayout(): the whole turn, or from its own tool only what came before (C4). */
  #waitForPlayout(): Promise<void> {
    const actor = currentActor();
    const ownTool = enclosingToolOf(actor, this.actor);
    if (ownTool?.step !== undefined) {
      const before = (this.#stepPlayouts[ownTool.step]?.promise ?? Promise.resolve()).catch(
        () => {},
      );
      const node = this.#stepNodes[ownTool.step];
      return node ? this.#core.waits.track(actor, [node], 'playout', before) : before;
    }
    return this.#core.waits.track(actor, [this.actor], 'playout', this.#done.promise);
  }

  #fail(err: unknown): void {
    const failure = describeFailure(err);
    this.#core.bus.emit('error', { ...failure, recoverable: true, speechId: this.id });
    if (this.#segment && !this.#segment.settled) this.#segment.clear();
    this.#core.queue.release(this);
    this.#finish('failed', failure.message);
  }

  #finish(reason: 'completed' | 'interrupted' | 'failed', error: string | null): void {
    if (this.#machine.isDone) return;
    this.#req.preemption?.end('the reply ended');
    const core = this.#core;
    this.#handoffs.settle(
      reason === 'completed',
      { deps: core.toolDeps, speechId: this.id },
      (agent) => {
        if (!core.closing) core.stack.handoff(agent);
      },
    );
    this.#machine.finish(reason, Object.assign(this.#transcript.summary(), { error }));
    for (const playout of this.#stepPlayouts) {
      if (reason === 'interrupted') playout.reject(this.#interrupted());
      else playout.resolve();
    }
    this.#transcript.close();
    this.#done.resolve();
    // Closing (not only aborting) takes the speech out of the scope tree, so a finished turn
    // can be garbage-collected; its tools still running see their signal abort.
    void this.#scope.close(this.#interrupted(), this.#core.clock, 0);
    this.#core.activity.speechEnded(this);
  }

  /** One interruption, one error: what a tool's signal aborted with is what its waits reject with. */
  #interrupted(): InterruptedError {
    this.#interruption ??= new InterruptedError(this.id);
    return this.#interruption;
  }
}
