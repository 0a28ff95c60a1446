import type { WaitNode } from '../core/actor.js';
import type { SpokenTurnTiming } from '../input/turn-taking.js';
import type { UserInputPipeline } from '../input/user-input.js';
import type { RealtimeEvent } from '../models/realtime.js';
import type { SpeechHandle } from '../speech/speech-handle.js';
import { isAwaitingTools, isLive } from '../speech/speech-state.js';
import type { PreemptiveReplies } from './preemptive-replies.js';
import type { SessionCore } from './session-core.js';
import type { Speaker } from './speaker.js';
import type { SpeechRuns } from './speech-controls.js';

/**
 * Commits user turns (C6): the words enter the history, interruptible speech is interrupted
 * (unless the caller says not to), the turn hook runs, and a reply is queued — with a
 * preemptive reply started for these very words, and, with a realtime model, the user's
 * audio linked to its item on the model's side before the reply is asked for.
 */
export class UserTurns {
  readonly #core: SessionCore;
  readonly #runs: SpeechRuns;
  readonly #speaker: Speaker;
  readonly #preemptive: PreemptiveReplies;
  /** The user audio item a realtime model committed with its own turn detection. */
  #serverItem: string | undefined;

  constructor(deps: {
    core: SessionCore;
    runs: SpeechRuns;
    speaker: Speaker;
    preemptive: PreemptiveReplies;
  }) {
    this.#core = deps.core;
    this.#runs = deps.runs;
    this.#speaker = deps.speaker;
    this.#preemptive = deps.preemptive;
  }

  /**
   * What a realtime model reports outside its responses: with its own turn detection, the
   * user's speech (its end commits their audio as an item); its transcripts of that audio.
   */
  onRealtimeEvent(event: RealtimeEvent, input: UserInputPipeline): void {
    const core = this.#core;
    switch (event.type) {
      case 'speech_started':
        input.serverSpeech('start');
        return;
      case 'speech_stopped':
        this.#serverItem = event.itemId;
        input.serverSpeech('end');
        return;
      case 'input_transcript': {
        core.bus.emit('user.transcript', { text: event.text, final: event.final });
        if (!event.final) return;
        const item = core.history.items.find(
          (i) => i.type === 'message' && i.realtimeId === event.itemId,
        );
        if (item?.type === 'message' && item.text === '') {
          core.history.reviseText(item.id, event.text);
        }
        return;
      }
    }
  }

  /** Turn-taking ended a spoken turn. */
  commitSpoken(text: string, meta: SpokenTurnTiming): void {
    const core = this.#core;
    // Words that end after close() was called have nobody left to answer them.
    if (core.closing) return;
    const eou = core.clock.now() - meta.endOfSpeechAt;
    const turn = this.commit(text, 'speech', { timing: meta });
    core.bus.emit('metrics.eou', {
      turnId: turn.turnId,
      endOfUtteranceDelayMs: eou,
      transcriptionDelayMs: Math.max(0, meta.finalAt - meta.endOfSpeechAt),
    });
  }

  commit(
    text: string,
    source: 'speech' | 'text' | 'api',
    options: { interrupt?: boolean; hook?: boolean; timing?: SpokenTurnTiming } = {},
  ): { handle: SpeechHandle; turnId: string } {
    const core = this.#core;
    const activity = core.stack.top;
    const turnId = core.ids.next('turn');
    const preemption = source === 'speech' ? this.#preemptive.claim(text) : undefined;
    if (source !== 'speech') this.#preemptive.discard('a turn came from elsewhere');
    if (options.interrupt !== false) {
      this.#runs.interrupt(false, source === 'speech' ? 'user_speech' : 'user_input');
    }
    const waited = this.#runs.all().some((r) => isLive(r.state) && !isAwaitingTools(r.state));
    const message = core.history.add({ type: 'message', role: 'user', text, interrupted: false });
    core.bus.emit('user.turn', { turnId, text, source, agentId: activity.id, waited });
    const hook =
      options.hook === false
        ? undefined
        : core.stack.runUserTurnHook(activity, { id: turnId, text, source });
    const audio = source === 'speech' ? this.#userAudioItem(message.id) : undefined;
    const before = combineBefore(hook, audio);
    const now = core.clock.now();
    const timing = options.timing;
    const handle = this.#speaker.speak(
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
        ...(preemption ? { preemption } : {}),
      },
    );
    return { handle, turnId };
  }

  /**
   * With a realtime model, a spoken turn is the user's audio on the model's side: the item
   * it committed (server turn detection) or the one committed now, linked to the history's
   * message before the reply is asked for (the model keeps what voxagent's history names).
   */
  #userAudioItem(messageId: string): Promise<void> | undefined {
    const realtime = this.#core.realtime;
    if (!realtime.active) return undefined;
    const committed = this.#serverItem;
    this.#serverItem = undefined;
    const item = committed !== undefined ? Promise.resolve(committed) : realtime.commitAudio();
    return item.then((id) => {
      if (id) this.#core.history.linkRealtime(messageId, id);
    });
  }
}

/** What a reply waits for before it asks its model: the turn hook, and the user's audio item. */
function combineBefore(
  hook: { promise: Promise<void>; node: WaitNode } | undefined,
  audio: Promise<void> | undefined,
): { promise: Promise<void>; node: WaitNode } | undefined {
  if (!audio) return hook;
  if (!hook) return { promise: audio, node: { kind: 'model', label: 'user audio item' } };
  return { promise: Promise.all([hook.promise, audio]).then(() => undefined), node: hook.node };
}
