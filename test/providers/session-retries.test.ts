import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Agent,
  AgentSession,
  type EventOf,
  type SessionEvent,
  type SessionEventName,
} from 'voxagent';
import { OpenAILLM, OpenAITTS } from 'voxagent/openai';
import { VirtualClock } from '../../src/runtime/clock/virtual-clock.js';
import { FakeOpenAIServer } from '../support/fake-openai-server.js';
import { SECRET_KEY } from './helpers.js';

/**
 * Retries through the real SDK against the local server, on a virtual clock that moves
 * only when the test fires the next timer: each failing provider retries its own request,
 * once per attempt, with one warning per attempt naming it, and the total time is the sum
 * of the waits it asked for. The HTTP exchanges are real; virtual time moves only between
 * them (after a warning, when the runtime is waiting on the clock alone).
 */

let server: FakeOpenAIServer;
let session: AgentSession | undefined;
let clock: VirtualClock;
let events: SessionEvent[];
const listeners = new Set<() => void>();

beforeEach(async () => {
  server = await FakeOpenAIServer.start();
  clock = new VirtualClock({ autoAdvance: false });
  events = [];
});
afterEach(async () => {
  const s = session;
  session = undefined;
  if (s) await drive(s.close());
  await server.close();
});

async function startSession(): Promise<AgentSession> {
  const s = new AgentSession({
    clock,
    llm: new OpenAILLM({ apiKey: SECRET_KEY, baseURL: server.url }),
    tts: new OpenAITTS({ apiKey: SECRET_KEY, baseURL: server.url }),
    retry: { attempts: 2, baseDelayMs: 500 },
  });
  s.onAny((e) => {
    events.push(e);
    for (const listener of [...listeners]) listener();
  });
  await s.start({ agent: new Agent({ name: 'Tester', instructions: 'Be brief.' }) });
  session = s;
  return s;
}

/** The next event (after index `from`) of one of `types`; real I/O may come first. */
function nextEvent<K extends SessionEventName>(types: K[], from: number): Promise<EventOf<K>> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = events.slice(from).find((e) => (types as string[]).includes(e.type));
      if (!found) return;
      clearTimeout(guard);
      listeners.delete(check);
      resolve(found as EventOf<K>);
    };
    // Only against a hang (real I/O on a loaded machine); virtual time does not depend on it.
    const guard = setTimeout(() => {
      listeners.delete(check);
      reject(new Error(`no ${types.join('/')} event`));
    }, 10_000);
    listeners.add(check);
    check();
  });
}

/**
 * Follows the retries: after each warning the runtime waits on the clock alone, so time is
 * moved by the wait the warning announces; stops at the first event of `until`.
 */
async function followRetries(until: SessionEventName): Promise<void> {
  let from = events.length;
  for (;;) {
    const event = await nextEvent(['warning', until], from);
    if (event.type !== 'warning') return;
    from = events.indexOf(event) + 1;
    const wait = Number(/retrying in (\d+) ms/.exec(event.message)?.[1]);
    expect(wait).toBeGreaterThan(0);
    await clock.advance(event.t + wait - clock.now());
  }
}

/** Fires timers until `promise` settles (playout and close on the virtual clock). */
async function drive<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  const settled = promise.finally(() => {
    done = true;
  });
  while (!done && (await clock.runNext())) {
    // one timer at a time
  }
  return settled;
}

const warnings = () =>
  events.filter((e) => e.type === 'warning').map((e) => [e.t, e.code, e.message]);

describe('retries against the local OpenAI server, on the virtual clock', () => {
  it('an LLM answering 429 (retry-after 7 s) every time: two retries, one warning each, failed at 14 s', async () => {
    const s = await startSession();
    const rateLimited = { type: 'status', status: 429, retryAfter: '7' } as const;
    server.chat(rateLimited, rateLimited, rateLimited);
    const handle = s.sendUserText('hello');
    await followRetries('error');
    const message = (attempt: number) =>
      `openai.llm: HTTP 429: fake failure 429; retrying in 7000 ms (attempt ${attempt} of 3)`;
    expect(warnings()).toEqual([
      [0, 'provider_retry', message(2)],
      [7000, 'provider_retry', message(3)],
    ]);
    const errors = events.filter((e) => e.type === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ t: 14_000, source: 'openai.llm', status: 429 });
    await drive(handle.waitForPlayout());
    expect(handle.endReason).toBe('failed');
    expect(server.requests.map((r) => r.path)).toEqual([
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/chat/completions',
    ]);
    expect(events.filter((e) => e.type === 'speech.done').map((e) => e.t)).toEqual([14_000]);
  });

  it('a TTS answering 429 twice: its own two retries, then the speech plays', async () => {
    const s = await startSession();
    server.chat({ type: 'reply', text: ['Fine.'] });
    const rateLimited = { type: 'status', status: 429, retryAfter: '2' } as const;
    server.speech(rateLimited, rateLimited, { type: 'audio' });
    const handle = s.sendUserText('hello');
    await followRetries('speech.playing');
    const message = (attempt: number) =>
      `openai.tts: HTTP 429: fake failure 429; retrying in 2000 ms (attempt ${attempt} of 3)`;
    expect(warnings()).toEqual([
      [0, 'provider_retry', message(2)],
      [2000, 'provider_retry', message(3)],
    ]);
    // The whole sentence has arrived (its segment is reported) before time moves on.
    await nextEvent(['speech.segment'], 0);
    await drive(handle.waitForPlayout());
    expect(handle.endReason).toBe('completed');
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(server.requests.map((r) => r.path)).toEqual([
      '/v1/chat/completions',
      '/v1/audio/speech',
      '/v1/audio/speech',
      '/v1/audio/speech',
    ]);
    // 'Fine.' is 50 ms of audio at the fake's 10 ms a character, after 2 × 2 s of waiting.
    expect(events.find((e) => e.type === 'speech.playing')?.t).toBe(4000);
    expect(events.find((e) => e.type === 'speech.done')).toMatchObject({
      t: 4050,
      reason: 'completed',
      spokenText: 'Fine.',
    });
  });
});
