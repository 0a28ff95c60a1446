import type { LLM } from '../models/llm.js';
import type { STT } from '../models/stt.js';
import type { TTS } from '../models/tts.js';
import type { VAD } from '../models/vad.js';
import type { AgentSession } from '../session/session.js';
import { checkTools, type Tool } from '../tools/tool.js';

/** A committed user turn, as `onUserTurnCompleted` sees it. */
export interface UserTurn {
  readonly id: string;
  readonly text: string;
  readonly source: 'speech' | 'text' | 'api';
}

export interface AgentOptions<UserData = unknown> {
  /** Shown in events and the UI; defaults to the class name. */
  name?: string;
  instructions: string;
  tools?: Record<string, Tool<UserData>>;
  /** Per-agent model overrides; otherwise the session's models are used. */
  llm?: LLM;
  tts?: TTS;
  stt?: STT;
  vad?: VAD;
  /** Default for this agent's speech; the session default otherwise. */
  allowInterruptions?: boolean;
  onEnter?: (agent: Agent<UserData>) => Promise<void> | void;
  onExit?: (agent: Agent<UserData>) => Promise<void> | void;
  onUserTurnCompleted?: (agent: Agent<UserData>, turn: UserTurn) => Promise<void> | void;
}

const boundSessions = new WeakMap<object, object>();

/** Records which session an agent runs in (done by the runtime when it activates it). */
export function bindAgent(agent: object, session: object): void {
  boundSessions.set(agent, session);
}

/**
 * Instructions, tools and hooks. Subclass it and override `onEnter`/`onExit`/
 * `onUserTurnCompleted`, or pass the hooks as options.
 */
export class Agent<UserData = unknown> {
  readonly name: string;
  instructions: string;
  readonly tools: Record<string, Tool<UserData>>;
  readonly llm: LLM | undefined;
  readonly tts: TTS | undefined;
  readonly stt: STT | undefined;
  readonly vad: VAD | undefined;
  readonly allowInterruptions: boolean | undefined;
  readonly #options: AgentOptions<UserData>;

  constructor(options: AgentOptions<UserData>) {
    this.#options = options;
    this.name = options.name ?? this.constructor.name;
    this.instructions = options.instructions;
    this.tools = options.tools ?? {};
    // A tool that cannot be offered to a model would fail every turn: say so now, by name.
    checkTools(`agent ${this.name}`, this.tools);
    this.llm = options.llm;
    this.tts = options.tts;
    this.stt = options.stt;
    this.vad = options.vad;
    this.allowInterruptions = options.allowInterruptions;
  }

  /** The session this agent runs in; available from `onEnter` on. */
  get session(): AgentSession<UserData> {
    const session = boundSessions.get(this);
    if (!session) throw new Error(`agent ${this.name} is not running in a session yet`);
    return session as unknown as AgentSession<UserData>;
  }

  /** Runs when the agent becomes active. Not awaited by the scheduler: it may await anything. */
  async onEnter(): Promise<void> {
    await this.#options.onEnter?.(this);
  }

  /** Runs when the agent is replaced (handoff) or the session closes. */
  async onExit(): Promise<void> {
    await this.#options.onExit?.(this);
  }

  /** Runs after each user turn is committed, before the reply is generated. */
  async onUserTurnCompleted(turn: UserTurn): Promise<void> {
    await this.#options.onUserTurnCompleted?.(this, turn);
  }
}
