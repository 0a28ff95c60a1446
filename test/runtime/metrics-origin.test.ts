import { describe, expect, it } from 'vitest';
import { Agent, tool } from 'voxagent';
import { settle, startHarness } from './harness.js';

const quiet = () => new Agent({ name: 'A', instructions: 'x' });

describe('turn latency split into parts', () => {
  it('a spoken turn: the parts add up to the time from end of speech to playback', async () => {
    const h = await startHarness(quiet(), {
      utterances: [{ startMs: 100, endMs: 900, transcript: 'hello there', sttDelayMs: 150 }],
      responses: [{ when: { input: 'hello' }, text: 'Hi. How are you?', ttftMs: 300 }],
      tts: { ttfbMs: 120 },
      // Started at the final transcript, the model's part would be hidden in the wait.
      session: { preemptiveGeneration: false },
    });
    await h.advance(5000);
    await settle(h);
    const [turn] = h.of('metrics.turn');
    expect(turn).toBeDefined();
    const parts = turn!.parts;
    const sum = Object.values(parts).reduce((a, b) => a + b, 0);
    expect(sum).toBe(turn!.e2eMs);
    expect(parts.transcriptionMs).toBe(150);
    // The default minimum endpointing delay (500 ms) counts from the end of speech.
    expect(parts.endpointingMs).toBe(350);
    expect(turn!.endpointingSetting).toBe('minEndpointingDelayMs');
    expect(parts.llmTtftMs).toBe(300);
    expect(parts.ttsTtfbMs).toBe(120);
    const ended = h.of('user.speech_ended')[0]!.t;
    const playing = h.of('speech.playing')[0]!.t;
    expect(turn!.e2eMs).toBe(playing - ended);
  });

  it('typed input behind other speech: the wait is queue time; tools before the first audio are tools time', async () => {
    const agent = new Agent({
      name: 'A',
      instructions: 'x',
      tools: {
        lookup: tool({
          description: 'slow',
          execute: async (_a, ctx) => {
            await ctx.session.clock.sleep(700);
            return 'found';
          },
        }),
      },
    });
    const h = await startHarness(agent, {
      responses: [
        { when: { input: 'find' }, toolCalls: [{ name: 'lookup' }], ttftMs: 200 },
        { when: { toolResult: 'found' }, text: 'Found it.', ttftMs: 100 },
      ],
    });
    h.session.say('A protected announcement first.', { allowInterruptions: false });
    await h.advance(10);
    h.session.sendUserText('find it');
    await settle(h);
    const [turn] = h.of('metrics.turn');
    const p = turn!.parts;
    expect(p.transcriptionMs + p.endpointingMs).toBe(0);
    expect(p.queueMs).toBeGreaterThan(0);
    expect(p.toolsMs).toBe(200 + 700);
    expect(p.llmTtftMs).toBe(100);
    expect(Object.values(p).reduce((a, b) => a + b, 0)).toBe(turn!.e2eMs);
    expect(turn!.endpointingSetting).toBeNull();
  });

  it("TTS time to first byte does not include the model's time", async () => {
    const h = await startHarness(quiet(), {
      responses: [{ when: { input: 'q' }, text: 'An answer.', ttftMs: 2000 }],
      tts: { ttfbMs: 200 },
    });
    h.session.sendUserText('q');
    await settle(h);
    expect(h.of('metrics.tts')[0]!.ttfbMs).toBe(200);
    expect(h.of('metrics.llm')[0]).toMatchObject({ ttftMs: 2000, ttfsMs: 2000 });
  });
});

describe('who asked: origins of speech and interruptions', () => {
  it('labels user replies, agent code, API and console requests', async () => {
    const agent = new Agent({
      name: 'A',
      instructions: 'x',
      tools: {
        announce: tool({
          description: 'says something and cuts it',
          execute: async (_a, ctx) => {
            const h = ctx.session.say('From the tool, a long line that gets cut.');
            h.interrupt();
            return undefined;
          },
        }),
      },
    });
    const h = await startHarness(agent, {
      responses: [{ when: { input: 'go' }, toolCalls: [{ name: 'announce' }] }],
    });
    h.session.sendUserText('go');
    await settle(h);
    const api = h.session.say('From outside, long enough to be cut by the console.');
    await h.advance(50);
    await h.session.interrupt({ origin: 'console' });
    h.session.say('From the console.', { origin: 'console' });
    await settle(h);
    const created = h.of('speech.created').map((e) => e.origin);
    expect(created).toEqual(['user', 'agent', 'api', 'console']);
    const by = Object.fromEntries(h.of('speech.interrupted').map((e) => [e.speechId, e.by]));
    expect(Object.values(by)).toEqual(['agent', 'console']);
    expect(by[api.id]).toBe('console');
  });
});

describe("tool calls carry voxagent's own ids", () => {
  it('two calls with the same provider id stay two tools', async () => {
    const agent = new Agent({
      name: 'A',
      instructions: 'x',
      tools: {
        a: tool({ description: 'a', execute: async () => 'A done' }),
        b: tool({ description: 'b', execute: async () => 'B done' }),
      },
    });
    const h = await startHarness(agent, {
      responses: [
        {
          when: { input: 'both' },
          toolCalls: [
            { name: 'a', id: 'dup' },
            { name: 'b', id: 'dup' },
          ],
        },
        { when: { toolResult: 'done' }, text: 'Both done.' },
      ],
    });
    h.session.sendUserText('both');
    await settle(h);
    const started = h.of('tool.started');
    expect(started.map((e) => e.providerCallId)).toEqual(['dup', 'dup']);
    expect(new Set(started.map((e) => e.toolCallId)).size).toBe(2);
    const finished = h.of('tool.finished').map((e) => `${e.toolCallId}:${e.name}`);
    expect(finished.sort()).toEqual(started.map((e) => `${e.toolCallId}:${e.name}`).sort());
    const awaiting = h.of('speech.awaiting_tools')[0]!;
    expect(awaiting.toolCallIds).toEqual(started.map((e) => e.toolCallId));
  });
});
