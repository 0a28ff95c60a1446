import type { LLM } from '../models/llm.js';
import type { RealtimeModel } from '../models/realtime.js';
import type { STT } from '../models/stt.js';
import type { TTS } from '../models/tts.js';
import type { VAD } from '../models/vad.js';
import type { AgentSession } from '../session/session.js';
import type { PreemptiveGenerationOptions } from '../session/session-options.js';
import { checkTools, type Tool } from '../tools/tool.js';
import type { Toolset } from '../tools/toolset.js';

/** A committed user turn, as `onUserTurnCompleted` sees it. */
export interface UserTurn {
  readonly id: string;
  readonly text: string;
  readonly source: 'speech' | 'text' | 'api';
}

/** What a hook receives: its abort signal fires when its agent leaves or the session closes. */
export interface HookContext {
  readonly signal: AbortSignal;
}

export interface AgentOptions<UserData = unknown> {
  /** Shown in events and the UI; defaults to the class name. */
  name?: string;
  instructions: string;
  tools?: Record<string, Tool<UserData>>;
  /** Groups of tools the agent offers too; add or remove them later as a group. */
  toolsets?: readonly Toolset<UserData>[];
  /** Per-agent model overrides; otherwise the session's models are used. */
  llm?: LLM | RealtimeModel;
  tts?: TTS;
  stt?: STT;
  vad?: VAD;
  /** Default for this agent's speech; the session default otherwise. */
  allowInterruptions?: boolean;
  /** Overrides the session's preemptive generation for this agent's turns. */
  preemptiveGeneration?: boolean | PreemptiveGenerationOptions;
  onEnter?: (agent: Agent<UserData>, ctx: HookContext) => Promise<void> | void;
  onExit?: (agent: Agent<UserData>, ctx: HookContext) => Promise<void> | void;
  onUserTurnCompleted?: (
    agent: Agent<UserData>,
    turn: UserTurn,
    ctx: HookContext,
  ) => Promise<void> | void;
}

/** How the runtime tells an agent which session it runs in (not part of the public API). */
export const BIND_SESSION: unique symbol = Symbol('voxagent.bindSession');

/**
 * Instructions, tools and hooks. Subclass it and override `onEnter`/`onExit`/
 * `onUserTurnCompleted`, or pass the hooks as options.
 */
export class Agent<UserData = unknown> {
  readonly name: string;
  instructions: string;
  readonly tools: Record<string, Tool<UserData>>;
  readonly llm: LLM | RealtimeModel | undefined;
  readonly tts: TTS | undefined;
  readonly stt: STT | undefined;
  readonly vad: VAD | undefined;
  readonly allowInterruptions: boolean | undefined;
  readonly preemptiveGeneration: boolean | PreemptiveGenerationOptions | undefined;
  readonly #options: AgentOptions<UserData>;
  readonly #toolsets: Toolset<UserData>[];
  #session: AgentSession<UserData> | undefined;

  constructor(options: AgentOptions<UserData>) {
    this.#options = options;
    this.name = options.name ?? this.constructor.name;
    this.instructions = options.instructions;
    this.tools = options.tools ?? {};
    // A tool that cannot be offered to a model would fail every turn: say so now, by name.
    checkTools(`agent ${this.name}`, this.tools);
    this.#toolsets = [...(options.toolsets ?? [])];
    this.llm = options.llm;
    this.tts = options.tts;
    this.stt = options.stt;
    this.vad = options.vad;
    this.allowInterruptions = options.allowInterruptions;
    this.preemptiveGeneration = options.preemptiveGeneration;
  }

  /** The session this agent runs in; available from `onEnter` on. */
  get session(): AgentSession<UserData> {
    if (!this.#session) throw new Error(`agent ${this.name} is not running in a session yet`);
    return this.#session;
  }

  /** @internal the runtime binds the agent when it becomes active. */
  [BIND_SESSION](session: AgentSession<UserData>): void {
    this.#session = session;
  }

  /** The toolsets currently offered, in the order they were added. */
  get toolsets(): readonly Toolset<UserData>[] {
    return this.#toolsets;
  }

  /** Offers a group of tools from the next model request on. */
  addToolset(toolset: Toolset<UserData>): void {
    if (this.#toolsets.some((t) => t.id === toolset.id)) {
      throw new Error(`agent ${this.name} already has a toolset "${toolset.id}"`);
    }
    this.#toolsets.push(toolset);
  }

  /** Stops offering a group of tools (from the next model request on); false if absent. */
  removeToolset(id: string): boolean {
    const index = this.#toolsets.findIndex((t) => t.id === id);
    if (index < 0) return false;
    this.#toolsets.splice(index, 1);
    return true;
  }

  /** Every tool the agent offers now: its own, then its toolsets' (the first name wins). */
  allTools(): Record<string, Tool<UserData>> {
    const all: Record<string, Tool<UserData>> = { ...this.tools };
    for (const set of this.#toolsets) {
      for (const [name, t] of Object.entries(set.tools)) if (!(name in all)) all[name] = t;
    }
    return all;
  }

  /** Runs when the agent becomes active. Not awaited by the scheduler: it may await anything. */
  async onEnter(ctx: HookContext): Promise<void> {
    await this.#options.onEnter?.(this, ctx);
  }

  /** Runs when the agent is replaced (handoff) or the session closes. */
  async onExit(ctx: HookContext): Promise<void> {
    await this.#options.onExit?.(this, ctx);
  }

  /** Runs after each user turn is committed, before the reply is generated. */
  async onUserTurnCompleted(turn: UserTurn, ctx: HookContext): Promise<void> {
    await this.#options.onUserTurnCompleted?.(this, turn, ctx);
  }
}
