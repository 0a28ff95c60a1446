import { dirname, relative, resolve } from 'node:path';
import { SessionRecorder } from '../replay/recorder.js';
import { RealClock } from '../runtime/clock/real-clock.js';
import type { AudioInput } from '../runtime/io/audio-input.js';
import type { AudioOutput } from '../runtime/io/audio-output.js';
import { ClockedOutput } from '../runtime/io/clocked-output.js';
import type { VAD } from '../runtime/models/vad.js';
import { AgentSession } from '../runtime/session/session.js';
import type { ConsoleController, ConsoleHandle, HeaderInfo, InputMode } from '../ui/index.js';
import { renderConsole } from '../ui/render-console.js';
import type { LoadedAgent } from './agent-bundle.js';
import type { Logger } from './logger.js';
import type { ChosenModels } from './providers.js';
import { logSessionEvent } from './session-log.js';

/** Where the session's audio comes from and goes to: local devices, or a LiveKit room. */
export interface AudioLink {
  readonly input: AudioInput;
  readonly output: AudioOutput;
  level(): number;
  setMuted(muted: boolean): void;
  close(): Promise<void>;
  /** One-line things to tell the user once the link is open (e.g. no echo cancellation). */
  readonly notes?: readonly string[];
}

export interface LiveConsoleOptions {
  readonly title: string;
  readonly mode: InputMode;
  /** Opens the audio link; rejects (one line) when there is none: the console uses text mode. */
  readonly openAudio: () => Promise<AudioLink>;
  /** The link cannot be switched off (a room): the `a` key keeps audio mode. */
  readonly fixedAudio?: boolean;
  /** Called with every new session (e.g. to wire room text and transcriptions). */
  readonly onSession?: (session: AgentSession) => void;
  readonly record?: string;
  readonly logger: Logger;
  /** Extra header notes (e.g. the room and connection state for `connect`). */
  readonly notes?: string[];
}

/**
 * One console run: the screen, the audio devices (in their child process), and the session,
 * which is rebuilt on hot reload or when the mode changes. Resolves with the exit code when
 * the user quits.
 */
export class LiveConsole {
  readonly #o: LiveConsoleOptions;
  readonly #logger: Logger;
  #agent: LoadedAgent | undefined;
  #models: ChosenModels | undefined;
  #mode: InputMode;
  #muted = false;
  #audio: AudioLink | undefined;
  #vad: VAD | undefined;
  #session: AgentSession | undefined;
  #screen: ConsoleHandle | undefined;
  #recorder: SessionRecorder | undefined;
  #header: HeaderInfo;
  #quitting: Promise<void> | undefined;
  #exit!: (code: number) => void;
  readonly exited: Promise<number>;

  constructor(options: LiveConsoleOptions) {
    this.#o = options;
    this.#logger = options.logger;
    this.#mode = options.mode;
    this.#header = {
      title: options.title,
      agentName: 'loading…',
      models: [],
      mode: options.mode,
      notes: [...(options.notes ?? [])],
      logFile: options.logger.path,
    };
    this.exited = new Promise((resolve) => {
      this.#exit = resolve;
    });
  }

  get session(): AgentSession | undefined {
    return this.#session;
  }

  /** Draws the screen at once (first paint), before anything slow is loaded. */
  show(): void {
    if (!this.#screen) this.#render();
  }

  get started(): boolean {
    return this.#models !== undefined;
  }

  /** Opens audio and starts the session with the loaded agent and its models. */
  async start(agent: LoadedAgent, models: ChosenModels): Promise<void> {
    this.#agent = agent;
    this.#models = models;
    this.#header = { ...this.#header, models: models.choices, loadError: undefined };
    this.show();
    this.#screen?.setHeader({ models: models.choices, loadError: undefined });
    await this.#openAudio();
    await this.#startSession();
  }

  /** Hot reload: a new build of the agent replaces the running session. */
  async reload(agent: LoadedAgent, changed: string, models: ChosenModels): Promise<void> {
    this.#agent = agent;
    this.#models = models;
    await this.#stopSession();
    this.#header = {
      ...this.#header,
      models: models.choices,
      loadError: undefined,
      reloadNotice: `reloaded after ${relative(process.cwd(), changed)} changed (${new Date().toLocaleTimeString()})`,
    };
    this.#render();
    await this.#startSession();
  }

  /** The agent failed to build or load: say so in place and keep the running session. */
  showLoadError(message: string): void {
    this.#logger.error(`agent load failed: ${message}`);
    this.#header = { ...this.#header, loadError: message };
    this.#screen?.setHeader({ loadError: message });
  }

  setNotes(notes: string[]): void {
    this.#header = { ...this.#header, notes };
    this.#screen?.setHeader({ notes });
  }

  quit(code = 0): Promise<void> {
    this.#quitting ??= (async () => {
      await this.#stopSession();
      await this.#audio?.close().catch(() => {});
      this.#screen?.unmount();
      this.#exit(code);
    })();
    return this.#quitting;
  }

  #render(): void {
    this.#screen?.unmount();
    const relay = { onAny: (fn: Parameters<AgentSession['onAny']>[0]) => this.#relay(fn) };
    this.#screen = renderConsole({
      events: relay,
      controller: this.#controller(),
      header: this.#header,
      now: () => this.#session?.clock.now() ?? 0,
      getLevel: () => this.#audio?.level() ?? 0,
      logs: this.#logger,
    });
  }

  #listeners = new Set<Parameters<AgentSession['onAny']>[0]>();

  #relay(fn: Parameters<AgentSession['onAny']>[0]) {
    this.#listeners.add(fn);
    return { dispose: () => this.#listeners.delete(fn) };
  }

  async #openAudio(): Promise<void> {
    if (this.#mode !== 'audio' || this.#audio) return;
    try {
      this.#audio = await this.#o.openAudio();
      for (const note of this.#audio.notes ?? []) this.#note(note);
      const { createOfflineVAD } = await import('../audio/offline-vad.js');
      const vad = await createOfflineVAD();
      this.#vad = vad.vad;
      if (vad.kind === 'energy') this.#note(vad.reason);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.#logger.warn(`no audio: ${reason}`);
      this.#mode = 'text';
      this.#note(`no audio device (${reason}): text mode`);
    }
    this.#header = { ...this.#header, mode: this.#mode };
    this.#screen?.setHeader({ mode: this.#mode });
  }

  async #startSession(): Promise<void> {
    const agentModule = this.#agent;
    const models = this.#models;
    if (!agentModule || !models || this.#quitting) return;
    const clock = new RealClock();
    const audio = this.#mode === 'audio' ? this.#audio : undefined;
    const output = audio?.output ?? new ClockedOutput(clock, { label: 'text mode (no speakers)' });
    let llm = models.llm;
    let tts = models.tts;
    if (this.#o.record) {
      // A session file names its agent relative to itself.
      const fromFile = relative(dirname(resolve(this.#o.record)), agentModule.file);
      const recorder = new SessionRecorder({
        agent: fromFile.startsWith('.') ? fromFile : `./${fromFile}`,
        output,
      });
      llm = recorder.wrapLLM(llm);
      if (tts) tts = recorder.wrapTTS(tts);
      this.#recorder = recorder;
    }
    const vad = audio ? this.#vad : undefined;
    const stt = audio ? models.stt?.(vad) : undefined;
    const session = new AgentSession({
      clock,
      llm,
      ...(tts ? { tts } : {}),
      ...(stt ? { stt } : {}),
      ...(vad ? { vad } : {}),
      ...(audio ? { input: audio.input } : {}),
      output,
    });
    this.#session = session;
    this.#recorder?.attach(session);
    if (this.#quitting) {
      this.#session = undefined;
      return;
    }
    this.#o.onSession?.(session);
    session.onAny((event) => {
      for (const fn of this.#listeners) fn(event);
      logSessionEvent(this.#logger, event);
    });
    session.setInputMuted(this.#muted);
    try {
      const agent = await agentModule.factory({ userData: undefined });
      this.#header = { ...this.#header, agentName: agent.name };
      this.#screen?.setHeader({ agentName: agent.name });
      await session.start({ agent });
      this.#logger.info(`session started with ${agent.name} (${this.#mode} mode)`);
    } catch (err) {
      this.showLoadError(err instanceof Error ? err.message : String(err));
    }
  }

  async #stopSession(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    if (!session) return;
    await session.close('console closed').catch(() => {});
    if (this.#recorder && this.#o.record) {
      await this.#recorder.save(this.#o.record);
      this.#logger.info(`recorded the session to ${this.#o.record}`);
      this.#recorder.detach();
      this.#recorder = undefined;
    }
  }

  #note(note: string): void {
    const notes = [...(this.#header.notes ?? []), note];
    this.#header = { ...this.#header, notes };
    this.#screen?.setHeader({ notes });
  }

  #controller(): ConsoleController {
    return {
      interrupt: async (force) => {
        await this.#session?.interrupt({ force });
      },
      sendText: (text) => {
        this.#session?.sendUserText(text, { source: 'text' });
      },
      say: (text) => {
        this.#session?.say(text);
      },
      toggleMute: () => {
        this.#muted = !this.#muted;
        this.#audio?.setMuted(this.#muted);
        this.#session?.setInputMuted(this.#muted);
        return this.#muted;
      },
      toggleAudio: async () => {
        if (this.#o.fixedAudio) return this.#mode;
        this.#mode = this.#mode === 'audio' ? 'text' : 'audio';
        await this.#stopSession();
        await this.#openAudio();
        await this.#startSession();
        return this.#mode;
      },
      quit: () => {
        if (this.#quitting) this.#exit(130);
        void this.quit(0);
      },
    };
  }
}
