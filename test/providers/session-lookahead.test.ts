import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Agent, AgentSession } from 'voxagent';
import { OpenAITTS } from 'voxagent/openai';
import { FakeLLM, VirtualClock } from 'voxagent/testing';
import { FakeOpenAIServer } from '../support/fake-openai-server.js';
import { SECRET_KEY } from './helpers.js';

/**
 * The runaway the issue measured (a long reply made the OpenAI speech plugin ask for ~20
 * sentences a second while playback used 0.5): the real plugin and SDK against the local
 * server, a scripted model, and a virtual clock the test moves in 100 ms steps, letting
 * real I/O happen between steps. Speech requests must follow playback.
 */

const SENTENCES = 40;
const MS_PER_CHAR = 60;
const sentence = (i: number) => `Sentence ${i + 10} is here to be heard.`;

let server: FakeOpenAIServer;
beforeEach(async () => {
  server = await FakeOpenAIServer.start();
});
afterEach(async () => {
  await server.close();
});

describe('a long reply through OpenAITTS: requests follow playback', () => {
  it('never asks for more than the bound (plus the sentences in hand) ahead of what was heard', async () => {
    const clock = new VirtualClock({ autoAdvance: false });
    const reply = Array.from({ length: SENTENCES }, (_, i) => sentence(i)).join(' ');
    server.speech(
      ...Array.from({ length: SENTENCES }, () => ({
        type: 'audio' as const,
        msPerChar: MS_PER_CHAR,
      })),
    );
    const session = new AgentSession({
      clock,
      llm: new FakeLLM({ responses: [{ text: reply }] }),
      // Timeouts are not under test here: virtual time runs ahead of real I/O.
      tts: new OpenAITTS({
        apiKey: SECRET_KEY,
        baseURL: server.url,
        firstByteTimeoutMs: 3_600_000,
        stallTimeoutMs: 3_600_000,
      }),
    });
    await session.start({ agent: new Agent({ name: 'Talker', instructions: 'x' }) });
    let firstAudioAt: number | undefined;
    session.on('speech.playing', (e) => {
      firstAudioAt ??= e.t;
    });
    const handle = session.generateReply({ userInput: 'tell me everything' });
    const longest =
      Math.max(...Array.from({ length: SENTENCES }, (_, i) => sentence(i).length)) * MS_PER_CHAR;
    const requestedMs = (count: number) =>
      server.requests
        .slice(0, count)
        .reduce((sum, r) => sum + String(r.body.input).length * MS_PER_CHAR, 0);
    let worst = 0;
    while (!handle.done) {
      await clock.advance(100);
      await new Promise((resolve) => setImmediate(resolve));
      if (firstAudioAt === undefined) continue;
      // Heard by now is at most the time since the first audio (less if the output ran dry).
      const heardAtMost = clock.now() - firstAudioAt;
      worst = Math.max(worst, requestedMs(server.requests.length) - heardAtMost);
      expect(clock.now()).toBeLessThan(10 * 60_000);
    }
    expect(handle.endReason).toBe('completed');
    // Each sentence asked for once (two may be in flight at once, so arrival order varies).
    expect(server.requests.map((r) => String(r.body.input)).sort()).toEqual(
      Array.from({ length: SENTENCES }, (_, i) => sentence(i)).sort(),
    );
    // A sentence is asked for only while less than 10 s waits to be heard, counting what the
    // TTS already has: beyond that, at most the one it is speaking and the one just asked for.
    expect(worst).toBeLessThanOrEqual(10_000 + 2 * longest);
    const closed = session.close();
    let open = true;
    void closed.finally(() => {
      open = false;
    });
    while (open && (await clock.runNext())) {
      // close() is bounded on the session clock
    }
    await closed;
  });
});
