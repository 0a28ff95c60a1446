import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  Agent,
  AgentSession,
  type AgentSessionOptions,
  type EventOf,
  type SessionEvent,
} from 'voxagent';
import { OpenAILLM, OpenAITTS } from 'voxagent/openai';
import {
  type ChatStep,
  closedPortUrl,
  FakeOpenAIServer,
  type SpeechStep,
} from '../support/fake-openai-server.js';
import { SECRET_KEY } from './helpers.js';

/**
 * A real AgentSession (real clock) with the OpenAI plugins against the local server: a
 * provider fault ends the turn with an `error` event that names the provider, the status
 * and what to do; no speech is left open; the next turn works; the key is in no event.
 */

type ErrorEvent = EventOf<'error'>;

let server: FakeOpenAIServer;
let session: AgentSession | undefined;
let events: SessionEvent[];

beforeEach(async () => {
  server = await FakeOpenAIServer.start();
  events = [];
});
afterEach(async () => {
  await session?.close();
  session = undefined;
  await server.close();
});

async function startSession(
  baseURL: string,
  options: Partial<AgentSessionOptions> = {},
  firstTokenTimeoutMs = 10_000,
  ttsOptions: { firstByteTimeoutMs?: number; stallTimeoutMs?: number } = {},
): Promise<AgentSession> {
  const s = new AgentSession({
    llm: new OpenAILLM({ apiKey: SECRET_KEY, baseURL, firstTokenTimeoutMs }),
    tts: new OpenAITTS({ apiKey: SECRET_KEY, baseURL, ...ttsOptions }),
    retry: { attempts: 0 },
    ...options,
  });
  s.onAny((e) => events.push(e));
  await s.start({ agent: new Agent({ name: 'Tester', instructions: 'Be brief.' }) });
  session = s;
  return s;
}

/** One typed user turn, to idle; the bound only guards against a hang. */
async function turn(s: AgentSession, text: string): Promise<SessionEvent[]> {
  const from = events.length;
  const handle = s.sendUserText(text);
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`turn "${text}" did not finish`)), 5000);
  });
  try {
    await Promise.race([Promise.all([handle.waitForPlayout(), s.waitForIdle()]), bound]);
  } finally {
    clearTimeout(timer);
  }
  return events.slice(from);
}

function expectNoOpenSpeech(): void {
  const created = events.filter((e) => e.type === 'speech.created').map((e) => e.speechId);
  const done = events.filter((e) => e.type === 'speech.done').map((e) => e.speechId);
  expect(done.sort()).toEqual(created.sort());
}

function expectKeyNowhere(): void {
  expect(JSON.stringify(events)).not.toContain(SECRET_KEY);
}

async function expectNextTurnWorks(s: AgentSession): Promise<void> {
  server.chat({ type: 'reply', text: ['All ', 'good ', 'now.'] });
  const next = await turn(s, 'again');
  expect(next.filter((e) => e.type === 'error')).toEqual([]);
  expect(next.find((e) => e.type === 'speech.done')).toMatchObject({
    reason: 'completed',
    spokenText: 'All good now.',
  });
}

const llmFaults: Array<{
  name: string;
  step: ChatStep;
  status?: number;
  hint: RegExp;
  firstTokenTimeoutMs?: number;
}> = [
  { name: '401', step: { type: 'status', status: 401 }, status: 401, hint: /check OPENAI_API_KEY/ },
  {
    name: '429 with retry-after',
    step: { type: 'status', status: 429, retryAfter: '1' },
    status: 429,
    hint: /rate limited: wait and retry/,
  },
  { name: '500', step: { type: 'status', status: 500 }, status: 500, hint: /retry in a moment/ },
  { name: 'stream cut mid-reply', step: { type: 'cut', text: ['Once ', 'upon'] }, hint: /retry/ },
  {
    name: 'malformed chunk',
    step: { type: 'malformed', text: ['Hi'] },
    hint: /is OPENAI_BASE_URL pointing at a real openai endpoint\?/,
  },
  {
    name: 'first token never comes',
    step: { type: 'stall' },
    hint: /no token within 500 ms: .*raise firstTokenTimeoutMs/,
    firstTokenTimeoutMs: 500,
  },
];

describe('session over the OpenAI plugins: LLM faults', () => {
  for (const fault of llmFaults) {
    it(`${fault.name}: an error event, no open speech, then a working turn`, async () => {
      const s = await startSession(server.url, {}, fault.firstTokenTimeoutMs);
      server.chat(fault.step);
      const failed = await turn(s, 'hello');
      const errors = failed.filter((e): e is ErrorEvent => e.type === 'error');
      expect(errors).toHaveLength(1);
      const error = errors[0]!;
      expect(error).toMatchObject({
        code: 'provider_error',
        source: 'openai.llm',
        recoverable: true,
      });
      expect(error.status).toBe(fault.status);
      expect(error.message).toMatch(fault.hint);
      expect(failed.find((e) => e.type === 'speech.done')).toMatchObject({ reason: 'failed' });
      expectNoOpenSpeech();
      await expectNextTurnWorks(s);
      expectNoOpenSpeech();
      expectKeyNowhere();
    });
  }

  it('a retryable failure before any output is retried by the runtime, honouring retry-after', async () => {
    const s = await startSession(server.url, { retry: { attempts: 1, baseDelayMs: 5000 } });
    server.chat(
      { type: 'status', status: 429, retryAfter: '0.05' },
      { type: 'reply', text: ['Fine.'] },
    );
    const done = await turn(s, 'hello');
    expect(done.filter((e) => e.type === 'error')).toEqual([]);
    expect(done.find((e) => e.type === 'warning')).toMatchObject({ code: 'provider_retry' });
    expect(done.find((e) => e.type === 'speech.done')).toMatchObject({
      reason: 'completed',
      spokenText: 'Fine.',
    });
    expectKeyNowhere();
  });

  it('connection refused: the error asks whether OPENAI_BASE_URL is right', async () => {
    const url = await closedPortUrl();
    const s = await startSession(url);
    const failed = await turn(s, 'hello');
    expect(failed.find((e) => e.type === 'error')).toMatchObject({
      code: 'provider_error',
      source: 'openai.llm',
      message: expect.stringContaining(`is OPENAI_BASE_URL right? (using ${new URL(url).host})`),
    });
    expectNoOpenSpeech();
    expectKeyNowhere();
  });
});

const ttsFaults: Array<{
  name: string;
  step: SpeechStep;
  status?: number;
  hint: RegExp;
  /** The error must come this long after the speech began, at the earliest. */
  boundMs?: number;
}> = [
  { name: '401', step: { type: 'status', status: 401 }, status: 401, hint: /check OPENAI_API_KEY/ },
  { name: '503', step: { type: 'status', status: 503 }, status: 503, hint: /retry in a moment/ },
  { name: 'audio cut mid-body', step: { type: 'cut', bytes: 960 }, hint: /retry/ },
  {
    name: 'first audio never comes (200, no bytes)',
    step: { type: 'stall' },
    hint: /no audio within 300 ms of asking for a sentence: .*raise firstByteTimeoutMs/,
    boundMs: 300,
  },
  {
    name: 'audio stops mid-sentence',
    step: { type: 'audio', holdAfterBytes: 2002 },
    hint: /the audio stopped for 300 ms in the middle of a sentence: .*raise stallTimeoutMs/,
    boundMs: 300,
  },
  {
    name: 'empty audio body',
    step: { type: 'empty' },
    hint: /no audio came back for "Hello there\.": .*check the model and voice/,
  },
];

describe('session over the OpenAI plugins: TTS faults', () => {
  for (const fault of ttsFaults) {
    it(`${fault.name}: an error event from openai.tts, then a working turn`, async () => {
      const s = await startSession(server.url, {}, 10_000, {
        firstByteTimeoutMs: 300,
        stallTimeoutMs: 300,
      });
      server.chat({ type: 'reply', text: ['Hello there.'] });
      server.speech(fault.step);
      const failed = await turn(s, 'hello');
      const errors = failed.filter((e): e is ErrorEvent => e.type === 'error');
      expect(errors).toHaveLength(1);
      const error = errors[0]!;
      expect(error).toMatchObject({
        code: 'provider_error',
        source: 'openai.tts',
        recoverable: true,
      });
      expect(error.status).toBe(fault.status);
      expect(error.message).toMatch(fault.hint);
      expect(failed.find((e) => e.type === 'speech.done')).toMatchObject({ reason: 'failed' });
      if (fault.boundMs !== undefined) {
        // Within the bound (real clock: the upper limit is generous for a loaded machine).
        const began = failed.find((e) => e.type === 'speech.created')!.t;
        expect(error.t - began).toBeGreaterThanOrEqual(fault.boundMs);
        expect(error.t - began).toBeLessThan(fault.boundMs + 4000);
      }
      expectNoOpenSpeech();
      await expectNextTurnWorks(s);
      expectKeyNowhere();
    });
  }
});
