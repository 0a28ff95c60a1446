import { Agent } from '../agents/agent.js';
import type { Activity } from '../agents/agent-stack.js';
import { AgentStack } from '../agents/agent-stack.js';
import type { Clock } from '../clock/clock.js';
import { errorMessage } from '../core/errors.js';
import { IdGenerator } from '../core/ids.js';
import { Scope } from '../core/scope.js';
import { EventBus } from '../events/emitter.js';
import { HistoryStore } from '../history/history-store.js';
import { ClockedOutput } from '../io/clocked-output.js';
import { isRealtimeModel, type RealtimeEvent } from '../models/realtime.js';
import { Playout } from '../speech/playout.js';
import { SpeechQueue } from '../speech/speech-queue.js';
import { ActivityTracker } from './activity-tracker.js';
import { RealtimeLink } from './realtime-link.js';
import type { AgentSession } from './session.js';
import type { SessionCore } from './session-core.js';
import type { AgentSessionOptions } from './session-options.js';
import { resolveOptions } from './session-options.js';

export interface AssemblyInput {
  readonly session: AgentSession<unknown>;
  readonly options: AgentSessionOptions<unknown>;
  readonly clock: Clock;
  readonly isClosing: () => boolean;
  readonly deferredReply: (activity: Activity, toolCallId: string) => void;
  /** What the active realtime model reports outside its responses. */
  readonly onRealtimeEvent: (event: RealtimeEvent) => void;
}

/** Builds a session's parts in dependency order: each gets only what exists before it. */
export function assembleSession(input: AssemblyInput): SessionCore {
  const { session, options, clock } = input;
  const resolved = resolveOptions(options);
  const bus = new EventBus(clock);
  const ids = new IdGenerator();
  const scope = new Scope('session', (work, error) =>
    bus.emit('error', {
      code: 'runtime_bug',
      message: `${work} failed: ${error instanceof Error ? (error.stack ?? error.message) : errorMessage(error)}`,
      source: 'runtime',
      recoverable: true,
    }),
  );
  const activity = new ActivityTracker(clock);
  const history = new HistoryStore(clock, ids, bus);
  const output = options.output ?? new ClockedOutput(clock);
  const playout = new Playout(output, clock, resolved.playoutSettleMs, () =>
    bus.emit('warning', {
      code: 'output_never_reports',
      message: `audio output "${output.label}" did not report playback within ${resolved.playoutSettleMs} ms; continuing on the runtime's estimate`,
    }),
  );
  const queue = new SpeechQueue((item, err) =>
    bus.emit('error', {
      code: 'runtime_bug',
      message: `speech ${item.id} crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      source: 'runtime',
      recoverable: true,
      speechId: item.id,
    }),
  );
  const stack = new AgentStack({
    clock,
    bus,
    ids,
    waits: activity.waits,
    scope,
    activity,
    history,
    session,
    isClosing: input.isClosing,
  });
  const sessionLLM = isRealtimeModel(options.llm) ? undefined : options.llm;
  const sessionRealtime = isRealtimeModel(options.llm) ? options.llm : undefined;
  const realtime = new RealtimeLink({ clock, scope, bus, onEvent: input.onRealtimeEvent });
  return {
    clock,
    bus,
    ids,
    waits: activity.waits,
    scope,
    options: resolved,
    history,
    stack,
    runtime: stack,
    queue,
    playout,
    outputLabel: output.label,
    activity,
    toolDeps: {
      bus,
      history,
      session,
      now: () => clock.now(),
      isAgent: (value): value is Agent => value instanceof Agent,
    },
    get closing() {
      return input.isClosing();
    },
    models: (agent) => {
      const tts = agent.tts ?? options.tts;
      // The agent's own model wins, whichever kind it is.
      if (agent.llm) {
        return isRealtimeModel(agent.llm)
          ? { llm: undefined, tts, realtime: agent.llm }
          : { llm: agent.llm, tts, realtime: undefined };
      }
      return { llm: sessionLLM, tts, realtime: sessionRealtime };
    },
    realtime,
    deferredReply: input.deferredReply,
  };
}
