/**
 * Every state change of a session is one of these events (contract C9). The UI, replays,
 * traces and metrics read nothing else. Each event carries `t`, the session clock in ms,
 * and `seq`, its position in the stream. Documented field by field in docs/events.md.
 */

export type SpeechState =
  | 'queued'
  | 'generating'
  | 'playing'
  | 'paused'
  | 'awaiting_tools'
  | 'interrupting'
  | 'done';

export type SpeechEnd = 'completed' | 'interrupted' | 'failed';

/** Where a speech handle came from. */
export type SpeechSource = 'say' | 'reply' | 'tool_reply';

export type AgentState = 'listening' | 'thinking' | 'speaking';
export type UserState = 'listening' | 'speaking' | 'away';

export type UserInputSource = 'speech' | 'text' | 'api';

/**
 * Who asked for a speech or an interruption: the user (a reply to their turn), the agent's
 * own code (a tool or hook), code outside the agent (`api`), or the developer console.
 */
export type SpeechOrigin = 'user' | 'agent' | 'api' | 'console';

/** What interrupted a speech. */
export type InterruptCause = 'user_speech' | 'user_input' | 'agent' | 'api' | 'console' | 'close';

/** The parts of a turn's latency, in milliseconds, in the order they happen; they sum to e2eMs. */
export interface TurnLatencyParts {
  /** End of speech → final transcript (0 for typed input). */
  transcriptionMs: number;
  /** Final transcript → turn committed: the endpointing wait. */
  endpointingMs: number;
  /** The agent's onUserTurnCompleted hook. */
  hookMs: number;
  /** Waiting for the audio output behind other speech. */
  queueMs: number;
  /** Earlier steps of the reply (model + tools) when the first audio came in a later step. */
  toolsMs: number;
  /** Model request → first token. */
  llmTtftMs: number;
  /** First token → first complete sentence. */
  llmSentenceMs: number;
  /** First sentence at the TTS → its first audio. */
  ttsTtfbMs: number;
  /** First audio sent → the output reports it started playing. */
  outputMs: number;
}

/** The event map: name → payload (without the common `type`, `t`, `seq`). */
export interface SessionEventMap {
  'session.started': { agentId: string; models: Record<string, string> };
  'session.closing': { reason: string };
  'session.closed': { reason: string };

  'agent.changed': {
    agentId: string;
    agentName: string;
    previousAgentId: string | null;
    /** start, handoff, task_started, task_returned */
    reason: 'start' | 'handoff' | 'task_started' | 'task_returned';
    /** The stack of active agent and tasks, bottom first (agent ids). */
    stack: string[];
  };
  'agent.state': { state: AgentState };
  'user.state': { state: UserState };

  'speech.created': {
    speechId: string;
    agentId: string;
    source: SpeechSource;
    origin: SpeechOrigin;
    allowInterruptions: boolean;
    priority: number;
    /** Text known up front (say); replies stream theirs through speech.text. */
    text: string | null;
    /** The tool call or task that asked for this speech, if any. */
    originToolCallId: string | null;
    originTaskId: string | null;
    /** The user turn this speech answers, if any. */
    userTurnId: string | null;
  };
  'speech.queued': { speechId: string; step: number; state: 'queued' };
  'speech.generating': { speechId: string; step: number; state: 'generating' };
  'speech.text': { speechId: string; step: number; delta: string };
  /** One piece of text (a sentence) has audio: the UI maps play time to words with it. */
  'speech.segment': {
    speechId: string;
    step: number;
    textIndex: number;
    text: string;
    audioMs: number;
  };
  'speech.playing': { speechId: string; step: number; state: 'playing' };
  /** Playback is held (user speech that may be noise); before any audio, playedMs is 0. */
  'speech.paused': { speechId: string; step: number; state: 'paused'; playedMs: number };
  /** Playback continues; `generating` when the hold ended before any audio was heard. */
  'speech.resumed': { speechId: string; step: number; state: 'playing' | 'generating' };
  /** User speech paused the agent but turned out to be noise: the agent resumes. */
  'user.false_interruption': { speechId: string; resumed: boolean };
  'speech.awaiting_tools': {
    speechId: string;
    step: number;
    state: 'awaiting_tools';
    toolCallIds: string[];
  };
  'speech.interrupted': {
    speechId: string;
    step: number;
    state: 'interrupting';
    by: InterruptCause;
    force: boolean;
  };
  'speech.done': {
    speechId: string;
    state: 'done';
    reason: SpeechEnd;
    /** Milliseconds of audio the user heard, over all steps. */
    playedMs: number;
    /** Milliseconds of audio produced, over all steps. */
    totalMs: number;
    /** What was heard (this is what entered the chat history). */
    spokenText: string;
    /** Everything the handle meant to say. */
    fullText: string;
    error: string | null;
  };

  'output.cleared': { speechId: string; output: string };

  'tool.started': {
    /** voxagent's own id for this call (unique in the session; keys the UI and traces). */
    toolCallId: string;
    /** The id the model gave the call (what its history and the model's API use). */
    providerCallId: string;
    name: string;
    arguments: string;
    speechId: string;
    agentId: string;
  };
  /**
   * A running tool reported progress (`ctx.update`). The first update answers the turn for
   * now and the tool goes on in the background (`background: true`).
   */
  'tool.updated': {
    toolCallId: string;
    providerCallId: string;
    name: string;
    speechId: string;
    message: string;
    background: boolean;
  };
  'tool.finished': {
    toolCallId: string;
    providerCallId: string;
    name: string;
    speechId: string;
    durationMs: number;
    /** What the model is told. */
    output: string;
    isError: boolean;
    /** The turn was interrupted while the tool ran: its output is marked so. */
    interrupted: boolean;
    /** The full error for a non-ToolError exception (never sent to the model). */
    error: string | null;
  };

  'task.started': {
    taskId: string;
    name: string;
    /** The node that awaited it: a tool call id, hook or `external`. */
    awaitedBy: string;
    parentAgentId: string;
  };
  'task.completed': { taskId: string; name: string; durationMs: number };
  'task.failed': { taskId: string; name: string; error: string };
  'task.cancelled': { taskId: string; name: string; reason: string };

  'user.speech_started': Record<string, never>;
  'user.speech_ended': { speechMs: number };
  'user.transcript': { text: string; final: boolean };
  /** A committed user turn: it is in the history and a reply is scheduled. */
  'user.turn': {
    turnId: string;
    text: string;
    source: UserInputSource;
    agentId: string;
    /** Whether it had to wait behind a speech that could not be interrupted. */
    waited: boolean;
  };

  'history.added': {
    itemId: string;
    kind: 'message' | 'function_call' | 'function_call_output' | 'agent_handoff';
    role: 'user' | 'assistant' | 'tool' | 'system' | 'handoff';
    text: string;
    interrupted: boolean;
    /**
     * Its index in `session.history` when it was added: items go in creation order, so a
     * preamble added late still lands before the call its tool made. Absent: at the end.
     */
    position?: number;
  };

  /** A reply to the user's words so far was started before their turn ended. */
  'preemptive.started': { text: string };
  /** The turn ended as predicted: the reply uses what was started early. */
  'preemptive.used': { text: string; speechId: string };
  /** It was not used (the words, history, tools or agent changed); nothing of it remains. */
  'preemptive.discarded': { text: string; reason: string };

  /** A message's text became known later (a realtime user turn's transcript). */
  'history.updated': { itemId: string; text: string };

  'metrics.eou': { turnId: string; endOfUtteranceDelayMs: number; transcriptionDelayMs: number };
  'metrics.llm': {
    speechId: string;
    model: string;
    ttftMs: number;
    /** Request to the first complete sentence (what the TTS can start on); null without text. */
    ttfsMs: number | null;
    durationMs: number;
    promptTokens: number;
    completionTokens: number;
  };
  'metrics.tts': {
    speechId: string;
    model: string;
    /** From the first text reaching the TTS to its first audio. */
    ttfbMs: number;
    durationMs: number;
    characters: number;
    audioMs: number;
  };
  'metrics.stt': { model: string; latencyMs: number; audioMs: number };
  /**
   * From the moment the user stopped speaking (or sent text) to the first audio of the answer,
   * split into the parts that add up to it.
   */
  'metrics.turn': {
    turnId: string;
    speechId: string;
    e2eMs: number;
    parts: TurnLatencyParts;
    /** The setting that owns the endpointing wait, when there was one. */
    endpointingSetting: 'minEndpointingDelayMs' | 'maxEndpointingDelayMs' | null;
  };

  warning: { code: string; message: string; speechId?: string };
  error: {
    code: string;
    message: string;
    /** provider / component that failed, e.g. "openai.llm". */
    source: string;
    recoverable: boolean;
    speechId?: string;
    status?: number;
  };
  deadlock: { cycle: string[]; description: string; openWaits: string[] };
}

export type SessionEventName = keyof SessionEventMap;

/** One event as emitted: its name, the clock time, its sequence number and its payload. */
export type SessionEvent = {
  [K in SessionEventName]: { type: K; t: number; seq: number } & SessionEventMap[K];
}[SessionEventName];

export type EventOf<K extends SessionEventName> = Extract<SessionEvent, { type: K }>;

/** Every event name, at run time (the compiler checks the list is complete). */
export const SESSION_EVENT_NAMES = [
  'session.started',
  'session.closing',
  'session.closed',
  'agent.changed',
  'agent.state',
  'user.state',
  'speech.created',
  'speech.queued',
  'speech.generating',
  'speech.text',
  'speech.segment',
  'speech.playing',
  'speech.paused',
  'speech.resumed',
  'user.false_interruption',
  'speech.awaiting_tools',
  'speech.interrupted',
  'speech.done',
  'output.cleared',
  'tool.started',
  'tool.updated',
  'tool.finished',
  'task.started',
  'task.completed',
  'task.failed',
  'task.cancelled',
  'user.speech_started',
  'user.speech_ended',
  'user.transcript',
  'user.turn',
  'history.added',
  'history.updated',
  'preemptive.started',
  'preemptive.used',
  'preemptive.discarded',
  'metrics.eou',
  'metrics.llm',
  'metrics.tts',
  'metrics.stt',
  'metrics.turn',
  'warning',
  'error',
  'deadlock',
] as const satisfies readonly SessionEventName[];

type MissingEventName = Exclude<SessionEventName, (typeof SESSION_EVENT_NAMES)[number]>;
/** Fails to compile when an event is added to the map but not to the list above. */
export const EVENT_LIST_IS_COMPLETE: [MissingEventName] extends [never] ? true : never = true;
