import type { Agent } from '../agents/agent.js';
import { TASK_RUNTIME } from '../agents/agent-task.js';
import type { AudioFrame } from '../audio/frame.js';
import type { Clock } from '../clock/clock.js';
import { RealClock } from '../clock/real-clock.js';
import { VirtualClock } from '../clock/virtual-clock.js';
import { type ActorRuntime, currentActor, enclosingToolOf } from '../core/actor.js';
import { SessionClosedError } from '../core/errors.js';
import type { Scope } from '../core/scope.js';
import type { Disposable } from '../events/emitter.js';
import type { EventOf, InterruptCause, SessionEvent, SessionEventName } from '../events/types.js';
import type { ChatItem } from '../history/chat-history.js';
import type { UserInputPipeline } from '../input/user-input.js';
import type { ToolChoice } from '../models/llm.js';
import type { RealtimeEvent } from '../models/realtime.js';
import type { SpeechHandle } from '../speech/speech-handle.js';
import { SpeechPriority } from '../speech/speech-queue.js';
import type { SpeechContent } from '../speech/speech-request.js';
import { isAudible, isLive, isWaiting } from '../speech/speech-state.js';
import { AgentStateTracker } from './agent-state.js';
import { assembleSession } from './assemble.js';
import { watchForDeadlocks } from './deadlock-probe.js';
import { listenToUser } from './listening.js';
import { PreemptiveReplies } from './preemptive-replies.js';
import { RunResult, runItems } from './run-result.js';
import { windDown } from './session-close.js';
import type { SessionCore } from './session-core.js';
import type { AgentSessionOptions } from './session-options.js';
import { Speaker } from './speaker.js';
import { SpeechRuns } from './speech-controls.js';
import { UserAway } from './user-away.js';
import { UserTurns } from './user-turns.js';

type Lifecycle = 'created' | 'running' | 'closing' | 'closed';

/** Where a speech goes in the queue: LiveKit's priorities (tool replies use `high`). */
export type SayPriority = keyof typeof SpeechPriority;

/**
 * One conversation between a user and the active agent: one speech queue, one audio
 * output, one event stream, one clock. The facade over the runtime's modules.
 */
export class AgentSession<UserData = unknown> {
  readonly clock: Clock;
  readonly userData: UserData;
  /** Labels of the models in use (for headers and logs). */
  readonly models: Readonly<Record<string, string>>;
  readonly #core: SessionCore;
  readonly #runs: SpeechRuns;
  readonly #speaker: Speaker;
  readonly #turns: UserTurns;
  readonly #input: UserInputPipeline;
  readonly #inputScope: Scope;
  readonly #agentState: AgentStateTracker;
  readonly #userAway: UserAway | undefined;
  readonly #preemptive: PreemptiveReplies;
  readonly #options: AgentSessionOptions<UserData>;
  #lifecycle: Lifecycle = 'created';
  #closing: Promise<void> | undefined;
  #firstSpokeAt: number | undefined;

  constructor(options: AgentSessionOptions<UserData> = {}) {
    this.clock = options.clock ?? new RealClock();
    this.userData = options.userData as UserData;
    this.#options = options;
    const core = assembleSession({
      session: this as AgentSession<unknown>,
      options: options as AgentSessionOptions<unknown>,
      clock: this.clock,
      isClosing: () => this.closed,
      deferredReply: (activity) => this.#speaker.deferredReply(activity),
      onRealtimeEvent: (event) => this.#onRealtimeEvent(event),
    });
    this.#core = core;
    this.models = Object.fromEntries(
      Object.entries({ llm: options.llm, tts: options.tts, stt: options.stt, vad: options.vad })
        .filter(([, m]) => m !== undefined)
        .map(([k, m]) => [k, m!.label]),
    );
    this.#runs = new SpeechRuns(core.queue);
    this.#speaker = new Speaker(core, this.#runs);
    this.#agentState = new AgentStateTracker({
      clock: core.clock,
      bus: core.bus,
      runs: this.#runs,
      activity: core.activity,
    });
    this.#preemptive = new PreemptiveReplies({
      clock: core.clock,
      bus: core.bus,
      scope: core.scope,
      history: core.history,
      options: core.options.preemptiveGeneration,
      maxToolSteps: core.options.maxToolSteps,
      models: (activity) => core.models(activity.agent),
    });
    this.#inputScope = core.scope.child('user input');
    this.#turns = new UserTurns({
      core,
      runs: this.#runs,
      speaker: this.#speaker,
      preemptive: this.#preemptive,
    });
    this.#input = listenToUser(core, {
      scope: this.#inputScope,
      input: options.input,
      runs: this.#runs,
      turns: this.#turns,
      preemptive: this.#preemptive,
      firstSpokeAt: () => this.#firstSpokeAt,
      closed: () => this.closed,
    });
    const away = core.options.userAwayTimeoutMs;
    this.#userAway =
      away === null
        ? undefined
        : new UserAway({
            clock: core.clock,
            bus: core.bus,
            timeoutMs: away,
            quiet: () => this.#quiet(),
          });
    core.activity.setUserBusy(() => this.#input.busy);
    core.activity.onChange(() => this.#agentState.changed());
    core.bus.onAny((event) => this.#observe(event));
    if (this.clock instanceof VirtualClock) {
      core.scope.defer(watchForDeadlocks(core, this.clock, () => this.#lifecycle === 'running'));
    }
  }

  /** How `task.run(session)` reaches this session's agent stack. */
  get [TASK_RUNTIME](): ActorRuntime {
    return this.#core.runtime;
  }

  get history(): readonly ChatItem[] {
    return this.#core.history.items;
  }

  /** The active agent (the top of the agent/task stack). */
  get agent(): Agent<UserData> {
    return this.#core.stack.top.agent as Agent<UserData>;
  }

  /** The speech holding the audio output now, if any. */
  get currentSpeech(): SpeechHandle | undefined {
    return this.#runs.current()?.handle;
  }

  /** Live speech in play order: the one holding the output first, then what waits to play. */
  get speechQueue(): readonly SpeechHandle[] {
    return this.#runs.playOrder().map((run) => run.handle);
  }

  get closed(): boolean {
    return this.#lifecycle === 'closing' || this.#lifecycle === 'closed';
  }

  async start(options: { agent: Agent<UserData> }): Promise<void> {
    if (this.#lifecycle !== 'created') throw new Error('the session was already started');
    this.#lifecycle = 'running';
    const core = this.#core;
    core.scope.defer(core.playout.attach());
    core.bus.emit('session.started', { agentId: 'agent_1', models: { ...this.models } });
    core.bus.emit('agent.state', { state: 'listening' });
    core.bus.emit('user.state', { state: 'listening' });
    core.stack.start(options.agent as Agent);
    core.realtime.activate(core.models(core.stack.top.agent).realtime);
    this.#input.start(this.#listeningModels());
  }

  /**
   * Speaks `text`, or pre-rendered audio (with `text` in the options for the transcript and
   * history). Accepted at any moment while the session is open (C2).
   */
  say(
    content: string | AsyncIterable<AudioFrame>,
    options: {
      audio?: AsyncIterable<AudioFrame>;
      text?: string;
      allowInterruptions?: boolean;
      addToHistory?: boolean;
      /** Its place in the queue: `low`, `normal` (default) or `high`. */
      priority?: SayPriority;
      /** Who asks, when it is not agent code (default `api`; the console says `console`). */
      origin?: 'api' | 'console';
    } = {},
  ): SpeechHandle {
    const text = typeof content === 'string' ? content : (options.text ?? '');
    const audio = typeof content === 'string' ? options.audio : content;
    this.#assertOpen();
    this.#speaker.assertCanSay(audio !== undefined);
    const speech: SpeechContent = { kind: 'say', text, ...(audio ? { audio } : {}) };
    return this.#speaker.speak('say', speech, {
      allowInterruptions: options.allowInterruptions,
      addToHistory: options.addToHistory ?? true,
      origin: options.origin,
      priority: SpeechPriority[options.priority ?? 'normal'],
    });
  }

  /** Asks the active agent's model for a reply (with `userInput`, as if the user said it). */
  generateReply(
    options: {
      userInput?: string;
      instructions?: string;
      toolChoice?: ToolChoice;
      allowInterruptions?: boolean;
      origin?: 'api' | 'console';
    } = {},
  ): SpeechHandle {
    this.#assertOpen();
    if (options.userInput !== undefined) {
      return this.#turns.commit(options.userInput, 'api', { interrupt: false, hook: false }).handle;
    }
    const content: SpeechContent = {
      kind: 'reply',
      ...(options.instructions ? { instructions: options.instructions } : {}),
      ...(options.toolChoice ? { toolChoice: options.toolChoice } : {}),
    };
    return this.#speaker.speak('reply', content, {
      allowInterruptions: options.allowInterruptions,
      addToHistory: true,
      origin: options.origin,
    });
  }

  /** Typed or injected user input: interrupts what may be interrupted, then runs a user turn (C6). */
  sendUserText(text: string, options: { source?: 'text' | 'api' } = {}): SpeechHandle {
    this.#assertOpen();
    return this.#turns.commit(text, options.source ?? 'text').handle;
  }

  /**
   * Interrupts speech in play order (with `force`, even speech that does not allow
   * interruptions; without it the walk stops at the first such speech and leaves it and
   * what follows alone). `origin` labels who asked when it is not agent code.
   */
  async interrupt(options: { force?: boolean; origin?: 'api' | 'console' } = {}): Promise<void> {
    if (this.#lifecycle !== 'running') return;
    const by: InterruptCause = currentActor() ? 'agent' : (options.origin ?? 'api');
    const interrupted = this.#runs.interrupt(options.force === true, by);
    await Promise.all(interrupted.map((run) => run.handle.waitForPlayout()));
  }

  /**
   * Runs one user turn and returns everything it caused, up to idle. Like LiveKit's
   * `session.run()`, it does not interrupt speech already playing: its reply waits its turn.
   */
  async run(options: { userInput: string }): Promise<RunResult> {
    this.#assertOpen();
    const core = this.#core;
    const actor = currentActor();
    const chain = core.activity.idleChain();
    core.waits.check(actor, chain);
    const collected: SessionEvent[] = [];
    const subscription = core.bus.onAny((e) => collected.push(e));
    try {
      this.#turns.commit(options.userInput, 'api', { interrupt: false });
      await core.waits.track(actor, chain, 'idle', core.activity.waitForIdle());
    } finally {
      subscription.dispose();
    }
    return new RunResult(runItems(core.history.items, collected), collected);
  }

  /** Resolves when nothing can move without the user. */
  waitForIdle(): Promise<void> {
    const actor = currentActor();
    const activity = this.#core.activity;
    return this.#core.waits.track(actor, activity.idleChain(), 'idle', activity.waitForIdle());
  }

  /**
   * Hands the conversation to another agent (after any running task returns). Called from a
   * tool, it happens when the turn that ran the tool completes, and not if it is interrupted.
   */
  updateAgent(agent: Agent<UserData>): void {
    this.#assertOpen();
    const actor = currentActor();
    const tool = actor?.kind === 'tool' ? actor : undefined;
    const run = tool?.parent ? this.#runs.ownerOf(tool.parent) : undefined;
    if (tool && run && enclosingToolOf(actor, run.actor)) run.requestHandoff(tool, agent as Agent);
    else this.#core.stack.handoff(agent as Agent);
  }

  setInputMuted(muted: boolean): void {
    this.#input.setMuted(muted);
  }

  /** Closes from any state in bounded time (C8). */
  close(reason = 'closed'): Promise<void> {
    this.#closing ??= this.#close(reason);
    return this.#closing;
  }

  on<K extends SessionEventName>(
    type: K,
    listener: (event: EventOf<K>) => void,
    options: { signal?: AbortSignal } = {},
  ): Disposable {
    return this.#core.bus.on(type, listener, options);
  }

  onAny(
    listener: (event: SessionEvent) => void,
    options: { signal?: AbortSignal } = {},
  ): Disposable {
    return this.#core.bus.onAny(listener, options);
  }

  /** Async iterator over events from now on; ends when the session closes. */
  events(options: { signal?: AbortSignal } = {}): AsyncIterable<SessionEvent> {
    return this.#core.bus.stream(options);
  }

  /** The most recent events (bounded), for late subscribers such as the UI. */
  recentEvents(): readonly SessionEvent[] {
    return this.#core.bus.recent();
  }

  /** "tool x waits for result of task y, 340 ms" — the open runtime waits. */
  openWaits(): string[] {
    return this.#core.waits.describe();
  }

  /** The STT and VAD of the active agent, else the session's. */
  #listeningModels() {
    const agent = this.#lifecycle === 'created' ? undefined : this.#core.stack.top.agent;
    return { vad: agent?.vad ?? this.#options.vad, stt: agent?.stt ?? this.#options.stt };
  }

  #observe(event: SessionEvent): void {
    const core = this.#core;
    this.#userAway?.observe(event);
    // The agent's state is derived from the rest: it changes nothing in flight.
    if (event.type === 'agent.state') return;
    // Any state change may end a busy spell (e.g. noise that ended without a turn).
    core.activity.changed();
    switch (event.type) {
      case 'speech.playing':
        this.#firstSpokeAt ??= event.t;
        break;
      case 'speech.done':
        if (!this.#runs.all().some((r) => isAudible(r.state) || isWaiting(r.state))) {
          this.#input.agentStoppedSpeaking();
        }
        break;
      case 'agent.changed':
        this.#preemptive.discard('the active agent changed');
        if (this.#lifecycle === 'running') {
          core.realtime.activate(core.models(core.stack.top.agent).realtime);
          this.#input.listenWith(this.#listeningModels());
        }
        break;
    }
    if (event.type.startsWith('speech.') || event.type.startsWith('tool.')) {
      this.#agentState.changed();
    }
  }

  /** Both sides listening and nothing in flight: the window in which the user may be away. */
  #quiet(): boolean {
    return (
      this.#lifecycle === 'running' &&
      this.#agentState.state === 'listening' &&
      !this.#input.busy &&
      this.#core.activity.toolsInFlight === 0 &&
      !this.#runs.all().some((r) => isLive(r.state))
    );
  }

  /** What a realtime model reports outside its responses: the user's speech and words. */
  #onRealtimeEvent(event: RealtimeEvent): void {
    if (this.#lifecycle === 'running') this.#turns.onRealtimeEvent(event, this.#input);
  }

  #assertOpen(): void {
    if (this.#lifecycle === 'closing' || this.#lifecycle === 'closed')
      throw new SessionClosedError();
    if (this.#lifecycle === 'created') throw new Error('call session.start({ agent }) first');
  }

  async #close(reason: string): Promise<void> {
    const core = this.#core;
    if (this.#lifecycle === 'created') {
      this.#lifecycle = 'closed';
      core.bus.emit('session.closed', { reason });
      core.bus.end();
      return;
    }
    this.#lifecycle = 'closing';
    core.bus.emit('session.closing', { reason });
    await windDown(core, {
      inputScope: this.#inputScope,
      stopTimers: () => {
        this.#userAway?.stop();
        this.#agentState.stop();
      },
      preemptive: this.#preemptive,
      runs: this.#runs,
    });
    this.#lifecycle = 'closed';
    core.bus.emit('session.closed', { reason });
    core.bus.end();
  }
}
