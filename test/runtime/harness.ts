import {
  type Agent,
  AgentSession,
  type AgentSessionOptions,
  type SessionEvent,
  type SessionEventName,
} from 'voxagent';
import {
  FakeAudioOutput,
  type FakeAudioOutputOptions,
  FakeLLM,
  type FakeLLMResponse,
  FakeTTS,
  type FakeTTSOptions,
  FakeUserSpeech,
  type FakeUtterance,
  VirtualClock,
} from 'voxagent/testing';

export interface Harness {
  clock: VirtualClock;
  session: AgentSession;
  llm: FakeLLM;
  tts: FakeTTS;
  user: FakeUserSpeech;
  output: FakeAudioOutput;
  events: SessionEvent[];
  /** Events of one type, in order. */
  of<K extends SessionEventName>(type: K): Extract<SessionEvent, { type: K }>[];
  /** Compact "type:id" list for order assertions. */
  trail(filter?: (e: SessionEvent) => boolean): string[];
  /** Runs the virtual clock forward by ms (firing every timer on the way). */
  advance(ms: number): Promise<void>;
  /** Moves virtual time, timer by timer, until `promise` settles; returns its value. */
  drive<T>(promise: Promise<T> | PromiseLike<T>, limitMs?: number): Promise<T>;
}

export interface HarnessOptions {
  responses?: FakeLLMResponse[];
  tts?: FakeTTSOptions;
  output?: FakeAudioOutputOptions;
  utterances?: FakeUtterance[];
  session?: Partial<AgentSessionOptions>;
}

/** A session on the virtual clock with scripted fakes; the clock advances only when told. */
export async function startHarness(agent: Agent, options: HarnessOptions = {}): Promise<Harness> {
  const clock = new VirtualClock({ autoAdvance: false });
  const llm = new FakeLLM({ responses: options.responses ?? [] });
  const tts = new FakeTTS({ msPerChar: 10, ...options.tts });
  const user = new FakeUserSpeech(options.utterances ?? []);
  const output = new FakeAudioOutput(clock, options.output);
  const session = new AgentSession({
    clock,
    llm,
    tts,
    stt: user,
    vad: user,
    output,
    ...options.session,
  });
  const events: SessionEvent[] = [];
  session.onAny((e) => events.push(e));
  await session.start({ agent });
  await clock.advance(0);
  return {
    clock,
    session,
    llm,
    tts,
    user,
    output,
    events,
    of: (type) => events.filter((e) => e.type === type) as never,
    trail: (filter = () => true) =>
      events.filter(filter).map((e) => {
        const id =
          'speechId' in e
            ? e.speechId
            : 'toolCallId' in e
              ? e.toolCallId
              : 'taskId' in e
                ? e.taskId
                : '';
        return id ? `${e.type}:${id}` : e.type;
      }),
    advance: (ms) => clock.advance(ms),
    drive: (promise, limitMs) => drive(clock, promise, limitMs),
  };
}

export async function drive<T>(
  clock: VirtualClock,
  promise: Promise<T> | PromiseLike<T>,
  limitMs = 600_000,
): Promise<T> {
  let state: { done: true; value: T } | { done: true; error: unknown } | { done: false } = {
    done: false,
  };
  Promise.resolve(promise).then(
    (value) => {
      state = { done: true, value };
    },
    (error: unknown) => {
      state = { done: true, error };
    },
  );
  const start = clock.now();
  while (!state.done) {
    const fired = await clock.runNext();
    if (state.done) break;
    if (!fired)
      throw new Error(`stuck at ${clock.now()} ms: no timer left and the promise is pending`);
    if (clock.now() - start > limitMs) throw new Error(`still pending after ${limitMs} virtual ms`);
  }
  const s = state as { done: true; value: T } | { done: true; error: unknown };
  if ('error' in s) throw s.error;
  return s.value;
}

/** Runs until the session is idle, moving virtual time as needed (bounded). */
export function settle(h: Harness, limitMs = 120_000): Promise<void> {
  return h.drive(h.session.waitForIdle(), limitMs);
}
