import { dirname, relative, resolve } from 'node:path';
import type { OfflineVAD } from '../audio/offline-vad.js';
import { SessionRecorder } from '../replay/recorder.js';
import type { Agent } from '../runtime/agents/agent.js';
import { RealClock } from '../runtime/clock/real-clock.js';
import type { SessionEvent } from '../runtime/events/types.js';
import type { AudioInput } from '../runtime/io/audio-input.js';
import type { AudioOutput } from '../runtime/io/audio-output.js';
import type { VAD } from '../runtime/models/vad.js';
import type { AgentSession } from '../runtime/session/session.js';
import type {
  ConsoleController,
  ConsoleHandle,
  HeaderInfo,
  InputMode,
  InputStatus,
  RenderConsoleOptions,
} from '../ui/index.js';
import { renderConsole } from '../ui/render-console.js';
import type { LoadedAgent } from './agent-bundle.js';
import { buildConsoleSession, type ConsoleSession } from './console-session.js';
import { type ConsoleInput, describeInput, InputQueue } from './input-queue.js';
import type { Logger } from './logger.js';
import type { ChosenModels } from './providers.js';
import { guardScreen, type ScreenGuard } from './screen-guard.js';
import { logSessionEvent } from './session-log.js';

/** Where the session's audio comes from and goes to: local devices, or a LiveKit room. */
export interface AudioLink {
  readonly input: AudioInput;
  readonly output: AudioOutput;
  /** Level of what the agent hears (linear RMS, 0..1). */
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
  /** Draws the screen (default: Ink on this terminal; tests draw into a fake one). */
  readonly screen?: (options: RenderConsoleOptions) => ConsoleHandle;
  /** The voice-activity detector of audio mode (default: Silero, else the energy VAD). */
  readonly vad?: () => Promise<OfflineVAD>;
}

interface Running extends ConsoleSession {
  readonly unsubscribe: () => void;
}

/**
 * One console run: one screen for the whole run, the audio link, and the session, which is
 * rebuilt on hot reload or when the mode changes. Inputs typed while no session runs wait for
 * the next one. Resolves `exited` with the exit code when the user quits.
 */
export class LiveConsole {
  readonly #o: LiveConsoleOptions;
  readonly #logger: Logger;
  readonly #inputs: InputQueue;
  #agent: LoadedAgent | undefined;
  #models: ChosenModels | undefined;
  #mode: InputMode;
  #muted = false;
  #audio: AudioLink | undefined;
  #vad: VAD | undefined;
  #running: Running | undefined;
  /** One recording for the whole run (with --record), kept across reloads. */
  #recorder: SessionRecorder | undefined;
  #sessions = 0;
  #screen: ConsoleHandle | undefined;
  #guard: ScreenGuard | undefined;
  #header: HeaderInfo;
  #quitting: Promise<void> | undefined;
  #exit!: (code: number) => void;
  readonly #listeners = new Set<(e: SessionEvent) => void>();
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
    this.#inputs = new InputQueue({
      onChange: (waiting) => this.#setHeader({ waitingInputs: waiting.map(describeInput) }),
      onError: (err, input) =>
        this.#logger.error(`${describeInput(input)} failed: ${errorText(err)}`),
    });
    this.exited = new Promise((resolve) => {
      this.#exit = resolve;
    });
  }

  get session(): AgentSession | undefined {
    return this.#running?.session;
  }

  get started(): boolean {
    return this.#models !== undefined;
  }

  /** The last load failure shown, until a build loads again. */
  get loadError(): string | undefined {
    return this.#header.loadError;
  }

  /** Draws the screen at once (first paint), before anything slow is loaded. */
  show(): void {
    if (this.#screen) return;
    this.#guard = guardScreen(this.#logger);
    const render = this.#o.screen ?? renderConsole;
    this.#screen = render({
      events: { onAny: (fn) => this.#relay(fn) },
      controller: this.#controller(),
      header: this.#header,
      now: () => this.#running?.session.clock.now() ?? 0,
      getLevel: () => this.#audio?.level() ?? 0,
      getOutputLevel: () => this.#running?.meter.level() ?? 0,
      logs: this.#logger,
      // The guard routes console output to the log: Ink must not print it above the frame.
      patchConsole: false,
    });
  }

  /** Opens audio and starts the first session with the loaded agent and its models. */
  async start(agent: LoadedAgent, models: ChosenModels): Promise<void> {
    this.#agent = agent;
    this.#models = models;
    this.show();
    this.#setHeader({ models: models.choices, loadError: undefined });
    await this.#openAudio();
    await this.#replaceSession(undefined);
  }

  /**
   * Hot reload: a new build of the agent replaces the running session. The new agent is
   * built first: if its code fails, the running session stays.
   */
  async reload(agent: LoadedAgent, changed: string, models: ChosenModels): Promise<void> {
    const instance = await this.#instantiate(agent);
    if (!instance) return;
    this.#agent = agent;
    this.#models = models;
    this.#setHeader({ models: models.choices, loadError: undefined });
    const when = new Date().toLocaleTimeString();
    await this.#replaceSession(
      `reloaded after ${relative(process.cwd(), changed)} changed (${when})`,
      instance,
    );
  }

  /** The agent failed to build or load: say so in place and keep the running session. */
  showLoadError(message: string): void {
    this.#logger.error(`agent load failed: ${message}`);
    this.#setHeader({ loadError: message });
  }

  setNotes(notes: string[]): void {
    this.#setHeader({ notes });
  }

  /** Adds a note to the header (and the log): something the developer must know. */
  note(note: string, level: 'info' | 'warn' | 'error' = 'warn'): void {
    this.#logger[level](note);
    const notes = this.#header.notes ?? [];
    // Said once on screen, however often it happens (the log has every time).
    if (!notes.includes(note)) this.#setHeader({ notes: [...notes, note] });
  }

  quit(code = 0): Promise<void> {
    this.#quitting ??= (async () => {
      await this.#stopSession();
      this.#recorder?.detach();
      await this.#audio?.close().catch(() => {});
      this.#screen?.unmount();
      this.#guard?.dispose();
      this.#exit(code);
    })();
    return this.#quitting;
  }

  #setHeader(patch: Partial<HeaderInfo>): void {
    this.#header = { ...this.#header, ...patch };
    this.#screen?.setHeader(patch);
  }

  #relay(fn: (e: SessionEvent) => void) {
    this.#listeners.add(fn);
    return { dispose: () => this.#listeners.delete(fn) };
  }

  async #openAudio(): Promise<void> {
    if (this.#mode !== 'audio' || this.#audio) return;
    try {
      this.#audio = await this.#o.openAudio();
      this.#audio.setMuted(this.#muted);
      for (const note of this.#audio.notes ?? []) this.note(note);
      const vad = await (this.#o.vad ?? defaultVAD)();
      this.#vad = vad.vad;
      if (vad.kind === 'energy') this.note(vad.reason, 'info');
    } catch (err) {
      const reason = errorText(err);
      this.#logger.warn(`no audio: ${reason}`);
      this.#mode = 'text';
      this.#setHeader({
        notes: [...(this.#header.notes ?? []), `no audio device (${reason}): text mode`],
      });
    }
    this.#setHeader({ mode: this.#mode });
  }

  /** Runs the agent module's factory; a failure is shown in place and gives undefined. */
  async #instantiate(agent: LoadedAgent): Promise<Agent | undefined> {
    try {
      return await agent.factory({ userData: undefined });
    } catch (err) {
      this.showLoadError(errorText(err));
      return undefined;
    }
  }

  /** Stops the running session (if any) and starts the next; `why` is shown when it is not the first. */
  async #replaceSession(why: string | undefined, built?: Agent): Promise<void> {
    await this.#stopSession();
    const module = this.#agent;
    const models = this.#models;
    if (!module || !models || this.#quitting) return;
    const agent = built ?? (await this.#instantiate(module));
    if (!agent || this.#quitting) return;
    const audio = this.#mode === 'audio' ? this.#audio : undefined;
    const record = this.#o.record;
    // One recording for the whole console run: a hot reload is a step in it.
    const recorder = record
      ? (output: AudioOutput) => (this.#recorder ??= newRecorder(record, module.file, output))
      : undefined;
    const parts = buildConsoleSession({ models, audio, vad: this.#vad, recorder });
    const { session } = parts;
    this.#sessions++;
    // The screen starts this session's panels empty before its first event.
    this.#screen?.beginSession({
      agentName: agent.name,
      sessionNotice: why === undefined ? undefined : `session ${this.#sessions} · ${why}`,
      mode: this.#mode,
    });
    const sub = session.onAny((event) => {
      for (const fn of this.#listeners) fn(event);
      logSessionEvent(this.#logger, event);
    });
    this.#running = { ...parts, unsubscribe: () => sub.dispose() };
    session.setInputMuted(this.#muted);
    this.#o.onSession?.(session);
    try {
      await session.start({ agent });
    } catch (err) {
      this.showLoadError(errorText(err));
      return;
    }
    this.#logger.info(`session ${this.#sessions} started with ${agent.name} (${this.#mode} mode)`);
    if (this.#running?.session === session) this.#inputs.attach(session);
  }

  async #stopSession(): Promise<void> {
    const running = this.#running;
    this.#running = undefined;
    this.#inputs.detach();
    if (!running) return;
    await running.session.close('console closed').catch(() => {});
    running.unsubscribe();
    // Saved at every stop (the recording so far survives a crash after a reload).
    if (this.#recorder && this.#o.record) {
      await this.#recorder.save(this.#o.record);
      this.#logger.info(`recorded the session to ${this.#o.record}`);
    }
  }

  #submit(input: ConsoleInput): InputStatus | Promise<InputStatus> {
    const result = this.#inputs.submit(input);
    if (result.status === 'waiting') {
      this.#logger.info(`${describeInput(input)}: waits for the session to start`);
      return 'waiting';
    }
    return result.done.then(() => 'sent' as const);
  }

  #controller(): ConsoleController {
    return {
      interrupt: (force) => this.#submit({ kind: 'interrupt', force }),
      sendText: (text) => this.#submit({ kind: 'text', text }),
      say: (text) => this.#submit({ kind: 'say', text }),
      toggleMute: () => {
        this.#muted = !this.#muted;
        this.#audio?.setMuted(this.#muted);
        this.#running?.session.setInputMuted(this.#muted);
        this.#logger.info(this.#muted ? 'microphone muted' : 'microphone on');
        return this.#muted;
      },
      toggleAudio: async () => {
        if (this.#o.fixedAudio) return this.#mode;
        this.#mode = this.#mode === 'audio' ? 'text' : 'audio';
        await this.#stopSession();
        await this.#openAudio();
        await this.#replaceSession(`switched to ${this.#mode} mode`);
        return this.#mode;
      },
      quit: () => {
        if (this.#quitting) this.#exit(130);
        void this.quit(0);
      },
    };
  }
}

async function defaultVAD(): Promise<OfflineVAD> {
  const { createOfflineVAD } = await import('../audio/offline-vad.js');
  return createOfflineVAD();
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The run's recorder: a session file names its agent relative to itself. */
function newRecorder(file: string, agentFile: string, output: AudioOutput): SessionRecorder {
  const fromFile = relative(dirname(resolve(file)), agentFile);
  return new SessionRecorder({
    agent: fromFile.startsWith('.') ? fromFile : `./${fromFile}`,
    output,
    // Each session gets a new clock; the recording keeps one timeline across reloads.
    clock: new RealClock(),
  });
}
