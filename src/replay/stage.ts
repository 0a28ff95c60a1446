import type { SessionEvent } from '../runtime/events/types.js';
import { AgentSession } from '../runtime/session/session.js';
import { FakeUserSpeech } from '../testing/index.js';
import type { AgentFactory } from './agent-loader.js';
import { TimelineDriver } from './driver.js';
import { buildFakes, type ReplayFakes, sessionActions, sessionOptions } from './fakes.js';
import { ReplayClock } from './replay-clock.js';
import { RequestLog } from './request-log.js';
import { RunEnd } from './run-end.js';
import type { SessionScript } from './schema.js';
import { offerScriptedTools } from './scripted-tools.js';
import { SpeechTargets } from './speech-targets.js';

/**
 * Everything one replay is made of: the virtual clock, the scripted fakes, the session, the
 * user timeline and the end-of-run logic, wired together. A `reload` step replaces the
 * session (as `voxagent dev` does when the agent's files change): the models, output and
 * clock carry on, and the events of every session make one stream, numbered in order.
 */

export interface StageHooks {
  onEvent?: (event: SessionEvent) => void;
  onSession?: (session: AgentSession, fakes: ReplayFakes) => void;
}

export class ReplayStage {
  readonly clock = new ReplayClock();
  readonly fakes: ReplayFakes;
  readonly driver: TimelineDriver;
  readonly end: RunEnd;
  readonly events: SessionEvent[] = [];
  /** Every model request, for `expect.requests`. */
  readonly requests = new RequestLog(this.clock);
  #session: AgentSession;
  #factory: AgentFactory | undefined;
  /** Added to each session's own `seq`, so the stream stays strictly ordered across reloads. */
  #seqBase = 0;
  #reloading = false;
  readonly #script: SessionScript;
  readonly #hooks: StageHooks;

  constructor(script: SessionScript, hooks: StageHooks) {
    this.#script = script;
    this.#hooks = hooks;
    // Nothing moves until the stage is set; then time runs by itself.
    this.clock.pause();
    this.fakes = buildFakes(script.models, this.clock, script.run.limitMs);
    const actions = sessionActions(
      () => this.#session,
      this.fakes,
      this.clock,
      () => this.reload(),
      new SpeechTargets(() => this.events),
    );
    this.driver = new TimelineDriver(script.user, this.clock, actions, () => this.end.poke());
    const idle = { waitForIdle: () => this.#session.waitForIdle() };
    this.end = new RunEnd(this.clock, idle, this.driver, script.run.settleMs);
    this.#session = this.#newSession();
  }

  get session(): AgentSession {
    return this.#session;
  }

  /** Starts the (first) session with an agent from `factory`. */
  async start(factory: AgentFactory): Promise<void> {
    this.#factory = factory;
    const agent = await factory({ userData: this.#script.options.userData });
    offerScriptedTools(agent, this.#script.tools);
    await this.#session.start({ agent });
  }

  /** A hot reload: the session closes, a new one starts with a fresh agent. */
  async reload(): Promise<void> {
    const factory = this.#factory;
    if (!factory) throw new Error('reload before the session started');
    this.#reloading = true;
    try {
      await this.#session.close('reload');
    } finally {
      this.#reloading = false;
    }
    // A new user-speech fake: the old one would replay its utterances to the new session.
    this.fakes.user = new FakeUserSpeech();
    this.#seqBase = this.events.length;
    this.#session = this.#newSession();
    const agent = await factory({ userData: this.#script.options.userData });
    offerScriptedTools(agent, this.#script.tools);
    await this.#session.start({ agent });
    this.end.poke();
  }

  #newSession(): AgentSession {
    const { realtime } = this.fakes;
    // A realtime model speaks for itself: a TTS only if the file scripts one (for say()).
    const tts = realtime && !this.#script.models.tts ? {} : { tts: this.fakes.tts };
    const session = new AgentSession({
      clock: this.clock,
      llm: realtime ?? this.requests.wrap(this.fakes.llm),
      ...tts,
      stt: this.fakes.user,
      vad: this.fakes.user,
      output: this.fakes.output,
      ...sessionOptions(this.#script.options),
    });
    session.onAny((raw) => {
      const e: SessionEvent =
        this.#seqBase === 0 ? raw : ({ ...raw, seq: raw.seq + this.#seqBase } as SessionEvent);
      this.events.push(e);
      this.driver.onEvent(e);
      // The reload's close is not the end of the run.
      if (!(this.#reloading && e.type === 'session.closed')) this.end.onEvent(e);
      this.#hooks.onEvent?.(e);
    });
    this.#hooks.onSession?.(session, this.fakes);
    return session;
  }
}
