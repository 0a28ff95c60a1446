import { Agent } from '../agents/agent.js';
import { AgentStack } from '../agents/agent-stack.js';
import { registerTaskRunner } from '../agents/agent-task.js';
import type { AudioFrame } from '../audio/frame.js';
import type { Clock } from '../clock/clock.js';
import { RealClock } from '../clock/real-clock.js';
import { VirtualClock } from '../clock/virtual-clock.js';
import { currentActor } from '../core/actor.js';
import { DeadlockError, SessionClosedError } from '../core/errors.js';
import { IdGenerator } from '../core/ids.js';
import { Scope } from '../core/scope.js';
import { Waits } from '../core/waits.js';
import { type Disposable, EventBus } from '../events/emitter.js';
import type { EventOf, InterruptCause, SessionEvent, SessionEventName } from '../events/types.js';
import type { ChatItem } from '../history/chat-history.js';
import { HistoryStore } from '../history/history-store.js';
import type { SpokenTurnTiming } from '../input/turn-taking.js';
import { UserInputPipeline } from '../input/user-input.js';
import { ClockedOutput } from '../io/clocked-output.js';
import type { ToolChoice } from '../models/llm.js';
import { Playout } from '../speech/playout.js';
import type { SpeechHandle } from '../speech/speech-handle.js';
import { SpeechQueue } from '../speech/speech-queue.js';
import { type SpeechContent, SpeechRun } from '../speech/speech-run.js';
import type { UserTurnTiming } from '../speech/turn-latency.js';
import { ActivityTracker } from './activity-tracker.js';
import { RunResult } from './run-result.js';
import type { SessionCore } from './session-core.js';
import { type AgentSessionOptions, resolveOptions } from './session-options.js';
import { AgentStateTracker, speechControls } from './session-speech.js';

type Lifecycle = 'created' | 'running' | 'closing' | 'closed';

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
  readonly #bus: EventBus;
  readonly #runs = new Set<SpeechRun>();
  readonly #input: UserInputPipeline;
  readonly #inputScope: Scope;
  readonly #key = {};
  #lifecycle: Lifecycle = 'created';
  #closing: Promise<void> | undefined;
  #reportedDeadlocks = new Set<string>();

  constructor(options: AgentSessionOptions<UserData> = {}) {
    this.clock = options.clock ?? new RealClock();
    this.userData = options.userData as UserData;
    const resolved = resolveOptions(options as AgentSessionOptions<unknown>);
    const clock = this.clock;
    const bus = new EventBus(clock);
    this.#bus = bus;
    const ids = new IdGenerator();
    const scope = new Scope('session');
    let tracker: ActivityTracker | undefined;
    const waits = new Waits(clock, () => tracker?.changed());
    tracker = new ActivityTracker(clock, waits);
    const output = options.output ?? new ClockedOutput(clock);
    const playout = new Playout(output, clock, resolved.playoutSettleMs, () =>
      bus.emit('warning', {
        code: 'output_never_reports',
        message: `audio output "${output.label}" did not report playback within ${resolved.playoutSettleMs} ms; continuing on the runtime's estimate`,
      }),
    );
    const session = this;
    const core: SessionCore = {
      key: this.#key,
      session: this as AgentSession<unknown>,
      clock,
      bus,
      ids,
      waits,
      scope,
      options: resolved,
      history: new HistoryStore(clock, ids, bus),
      stack: undefined as unknown as AgentStack,
      queue: new SpeechQueue((item, err) => this.#onSpeechCrash(item.id, err)),
      playout,
      outputLabel: output.label,
      activity: tracker,
      get closing() {
        return session.#lifecycle === 'closing' || session.#lifecycle === 'closed';
      },
      models: (agent) => ({ llm: agent.llm ?? options.llm, tts: agent.tts ?? options.tts }),
      isAgent: (value): value is Agent => value instanceof Agent,
    };
    (core as { stack: AgentStack }).stack = new AgentStack(core);
    this.#core = core;
    registerTaskRunner(this.#key, { runTask: (task) => core.stack.runTask(task) });
    this.models = Object.fromEntries(
      Object.entries({ llm: options.llm, tts: options.tts, stt: options.stt, vad: options.vad })
        .filter(([, m]) => m !== undefined)
        .map(([k, m]) => [k, m!.label]),
    );
    this.#inputScope = scope.child('user input');
    this.#input = new UserInputPipeline({
      clock,
      bus,
      scope: this.#inputScope,
      input: options.input,
      vad: options.vad,
      stt: options.stt,
      turnDetection: resolved.turnDetection,
      interruption: resolved.interruption,
      speech: speechControls(core, this.#runs, () => this.#interruptAll(false, 'user_speech')),
      busyChanged: () => tracker.changed(),
      commitTurn: (text, meta) => {
        // Words that end after close() was called have nobody left to answer them.
        if (this.closed) return;
        const eou = clock.now() - meta.endOfSpeechAt;
        const turn = this.#commitUserTurn(text, 'speech', { timing: meta });
        bus.emit('metrics.eou', {
          turnId: turn.turnId,
          endOfUtteranceDelayMs: eou,
          transcriptionDelayMs: Math.max(0, meta.finalAt - meta.endOfSpeechAt),
        });
      },
    });
    tracker.setUserBusy(() => this.#input.busy);
    // Any state change may end a busy spell (e.g. noise that ended without a turn).
    bus.onAny(() => tracker.changed());
    new AgentStateTracker(bus, this.#runs);
    if (clock instanceof VirtualClock) {
      scope.defer(clock.onQuiescent(() => this.#probeDeadlock()));
    }
  }

  /** Identity used by AgentTask.run(session) to find this session's runtime. */
  get actorKey(): object {
    return this.#key;
  }

  get history(): readonly ChatItem[] {
    return this.#core.history.items;
  }

  /** The active agent (the top of the agent/task stack). */
  get agent(): Agent<UserData> {
    return this.#core.stack.top.agent as Agent<UserData>;
  }

  get closed(): boolean {
    return this.#lifecycle === 'closing' || this.#lifecycle === 'closed';
  }

  async start(options: { agent: Agent<UserData> }): Promise<void> {
    if (this.#lifecycle !== 'created') throw new Error('the session was already started');
    this.#lifecycle = 'running';
    const stopOutput = this.#core.playout.attach();
    this.#core.scope.defer(stopOutput);
    this.#bus.emit('session.started', { agentId: 'agent_1', models: { ...this.models } });
    this.#bus.emit('agent.state', { state: 'listening' });
    this.#bus.emit('user.state', { state: 'listening' });
    this.#core.stack.start(options.agent as Agent);
    this.#input.start();
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
      /** Who asks, when it is not agent code (default `api`; the console says `console`). */
      origin?: 'api' | 'console';
    } = {},
  ): SpeechHandle {
    const text = typeof content === 'string' ? content : (options.text ?? '');
    const audio = typeof content === 'string' ? options.audio : content;
    const speech: SpeechContent = { kind: 'say', text, ...(audio ? { audio } : {}) };
    return this.#speak('say', speech, {
      allowInterruptions: options.allowInterruptions,
      addToHistory: options.addToHistory ?? true,
      origin: options.origin,
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
      return this.#commitUserTurn(options.userInput, 'api', { interrupt: false, hook: false })
        .handle;
    }
    const content: SpeechContent = {
      kind: 'reply',
      ...(options.instructions ? { instructions: options.instructions } : {}),
      ...(options.toolChoice ? { toolChoice: options.toolChoice } : {}),
    };
    return this.#speak('reply', content, {
      allowInterruptions: options.allowInterruptions,
      addToHistory: true,
      origin: options.origin,
    });
  }

  /** Typed or injected user input: interrupts what may be interrupted, then runs a user turn (C6). */
  sendUserText(text: string, options: { source?: 'text' | 'api' } = {}): SpeechHandle {
    this.#assertOpen();
    return this.#commitUserTurn(text, options.source ?? 'text').handle;
  }

  /**
   * Interrupts the speaking and queued speech (with `force`, even non-interruptible speech).
   * `origin` labels who asked when it is not agent code (default `api`).
   */
  async interrupt(options: { force?: boolean; origin?: 'api' | 'console' } = {}): Promise<void> {
    if (this.#lifecycle !== 'running') return;
    const by = currentActor() ? 'agent' : (options.origin ?? 'api');
    const interrupted = this.#interruptAll(options.force === true, by);
    await Promise.all(interrupted.map((run) => run.handle.waitForPlayout()));
  }

  /** Runs one user turn and returns everything it caused, up to idle. */
  async run(options: { userInput: string }): Promise<RunResult> {
    this.#assertOpen();
    const actor = currentActor();
    const chain = this.#core.activity.idleChain();
    this.#core.waits.check(actor, chain);
    const collected: SessionEvent[] = [];
    const subscription = this.#bus.onAny((e) => collected.push(e));
    try {
      this.#commitUserTurn(options.userInput, 'api');
      await this.#core.waits.track(actor, chain, 'idle', this.#core.activity.waitForIdle());
    } finally {
      subscription.dispose();
    }
    // The items this run added, in history order (a preamble precedes its tool calls).
    const added = new Set(collected.flatMap((e) => (e.type === 'history.added' ? [e.itemId] : [])));
    const items = this.#core.history.items.filter((item) => added.has(item.id));
    return new RunResult(items, collected);
  }

  /** Resolves when nothing can move without the user. */
  waitForIdle(): Promise<void> {
    const actor = currentActor();
    const chain = this.#core.activity.idleChain();
    return this.#core.waits.track(actor, chain, 'idle', this.#core.activity.waitForIdle());
  }

  /** Hands the conversation to another agent (after any running task returns). */
  updateAgent(agent: Agent<UserData>): void {
    this.#assertOpen();
    this.#core.stack.handoff(agent as Agent, currentActor());
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
    return this.#bus.on(type, listener, options);
  }

  onAny(
    listener: (event: SessionEvent) => void,
    options: { signal?: AbortSignal } = {},
  ): Disposable {
    return this.#bus.onAny(listener, options);
  }

  /** Async iterator over events from now on; ends when the session closes. */
  events(options: { signal?: AbortSignal } = {}): AsyncIterable<SessionEvent> {
    return this.#bus.stream(options);
  }

  /** The most recent events (bounded), for late subscribers such as the UI. */
  recentEvents(): readonly SessionEvent[] {
    return this.#bus.recent();
  }

  /** "tool x waits for result of task y, 340 ms" — the open runtime waits. */
  openWaits(): string[] {
    return this.#core.waits.describe();
  }

  #speak(
    source: 'say' | 'reply',
    content: SpeechContent,
    options: {
      allowInterruptions: boolean | undefined;
      addToHistory: boolean;
      origin: 'api' | 'console' | undefined;
      userTurn?: UserTurnTiming;
      before?: { promise: Promise<void>; label: string };
    },
  ): SpeechHandle {
    this.#assertOpen();
    const actor = currentActor();
    const activity = this.#core.stack.activityOf(actor);
    const { userTurn, before } = options;
    const run = new SpeechRun(this.#core, {
      source,
      content,
      activity,
      allowInterruptions:
        options.allowInterruptions ??
        activity.agent.allowInterruptions ??
        this.#core.options.allowInterruptions,
      addToHistory: options.addToHistory,
      origin: userTurn ? 'user' : actor ? 'agent' : (options.origin ?? 'api'),
      requester: actor,
      ...(userTurn ? { userTurn } : {}),
      ...(before ? { before } : {}),
    });
    this.#runs.add(run);
    void run.handle.waitForPlayout().then(() => this.#runs.delete(run));
    run.start();
    return run.handle;
  }

  #commitUserTurn(
    text: string,
    source: 'speech' | 'text' | 'api',
    options: { interrupt?: boolean; hook?: boolean; timing?: SpokenTurnTiming } = {},
  ): { handle: SpeechHandle; turnId: string } {
    this.#assertOpen();
    const stack = this.#core.stack;
    const activity = stack.top;
    const turnId = this.#core.ids.next('turn');
    if (options.interrupt !== false)
      this.#interruptAll(false, source === 'speech' ? 'user_speech' : 'user_input');
    const waited = [...this.#runs].some(
      (r) => r.state !== 'done' && r.state !== 'interrupting' && r.state !== 'awaiting_tools',
    );
    this.#core.history.add({ type: 'message', role: 'user', text, interrupted: false });
    this.#bus.emit('user.turn', { turnId, text, source, agentId: activity.id, waited });
    const before =
      options.hook === false
        ? undefined
        : stack.runUserTurnHook(activity, { id: turnId, text, source });
    const now = this.clock.now();
    const timing = options.timing;
    const handle = this.#speak(
      'reply',
      { kind: 'reply' },
      {
        allowInterruptions: undefined,
        addToHistory: true,
        origin: undefined,
        userTurn: {
          id: turnId,
          committedAt: now,
          endOfSpeechAt: timing?.endOfSpeechAt ?? now,
          finalAt: timing?.finalAt ?? now,
          endpointingSetting: timing?.endpointingSetting ?? null,
        },
        ...(before ? { before } : {}),
      },
    );
    return { handle, turnId };
  }

  #interruptAll(force: boolean, by: InterruptCause): SpeechRun[] {
    const interrupted: SpeechRun[] = [];
    for (const run of [...this.#runs]) if (run.interrupt(force, by)) interrupted.push(run);
    return interrupted;
  }

  #assertOpen(): void {
    if (this.#lifecycle === 'closing' || this.#lifecycle === 'closed')
      throw new SessionClosedError();
    if (this.#lifecycle === 'created') throw new Error('call session.start({ agent }) first');
  }

  #onSpeechCrash(speechId: string, err: unknown): void {
    this.#bus.emit('error', {
      code: 'runtime_bug',
      message: `speech ${speechId} crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      source: 'runtime',
      recoverable: true,
      speechId,
    });
  }

  /** Virtual clock has nothing left to run: work still in flight can never advance (C10). */
  #probeDeadlock(): void {
    if (this.#lifecycle !== 'running' || this.#core.activity.isIdle()) return;
    const cycle = this.#core.waits.findOpenCycle() ?? this.#core.activity.busyLabels();
    const description = `nothing can advance: ${cycle.join(' → ')}`;
    if (this.#reportedDeadlocks.has(description)) return;
    this.#reportedDeadlocks.add(description);
    this.#bus.emit('deadlock', { cycle, description, openWaits: this.#core.waits.describe() });
    this.#core.activity.failIdleWaiters(new DeadlockError(cycle, description));
  }

  async #close(reason: string): Promise<void> {
    if (this.#lifecycle === 'created') {
      this.#lifecycle = 'closed';
      this.#bus.emit('session.closed', { reason });
      this.#bus.end();
      return;
    }
    this.#lifecycle = 'closing';
    const core = this.#core;
    this.#bus.emit('session.closing', { reason });
    // No new user turns from here on: stop listening first.
    void this.#inputScope.close(new SessionClosedError(), core.clock, core.options.closeTimeoutMs);
    core.stack.cancelAll('session closed');
    this.#interruptAll(true, 'close');
    // Also the speech an earlier interruption left settling: its done comes before closed.
    const runs = [...this.#runs];
    core.queue.close();
    const bound = (p: Promise<unknown>) =>
      Promise.race([
        p.then(
          () => undefined,
          () => undefined,
        ),
        core.clock.sleep(core.options.closeTimeoutMs),
      ]);
    await bound(Promise.all(runs.map((r) => r.handle.waitForPlayout())));
    await bound(core.stack.runHook(core.stack.root, 'onExit'));
    await core.scope.close(new SessionClosedError(), core.clock, core.options.closeTimeoutMs);
    this.#lifecycle = 'closed';
    this.#bus.emit('session.closed', { reason });
    this.#bus.end();
  }
}
