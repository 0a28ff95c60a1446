import { describe, expect, it } from 'vitest';
import { Agent, tool } from 'voxagent';
import { z } from 'zod';
import { settle, startHarness } from './harness.js';

describe('a basic turn', () => {
  it('answers typed input through LLM → TTS → output, in order', async () => {
    const agent = new Agent({ name: 'Greeter', instructions: 'be nice' });
    const h = await startHarness(agent, {
      responses: [{ when: { input: 'hello' }, text: 'Hi there! How can I help?', ttftMs: 100 }],
      tts: { ttfbMs: 50 },
    });
    h.session.sendUserText('hello');
    await settle(h);
    expect(h.trail((e) => e.type.startsWith('speech.') && e.type !== 'speech.text')).toEqual([
      'speech.created:speech_1',
      'speech.queued:speech_1',
      'speech.generating:speech_1',
      'speech.playing:speech_1',
      'speech.segment:speech_1',
      'speech.done:speech_1',
    ]);
    const playing = h.of('speech.playing')[0]!;
    expect(playing.t).toBe(150);
    const done = h.of('speech.done')[0]!;
    expect(done.reason).toBe('completed');
    expect(done.spokenText).toBe('Hi there! How can I help?');
    expect(h.output.segments).toHaveLength(1);
    expect(h.output.segments[0]!.nonSilent).toBe(true);
    expect(
      h.session.history.map((i) => (i.type === 'message' ? `${i.role}:${i.text}` : i.type)),
    ).toEqual(['user:hello', 'assistant:Hi there! How can I help?']);
  });

  it('runs a tool and answers with its result', async () => {
    const agent = new Agent({
      name: 'Weather',
      instructions: 'weather',
      tools: {
        get_weather: tool({
          description: 'weather for a city',
          parameters: z.object({ city: z.string() }),
          execute: async ({ city }) => `sunny in ${city}`,
        }),
      },
    });
    const h = await startHarness(agent, {
      responses: [
        {
          when: { input: 'weather' },
          text: 'Let me check.',
          toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }],
        },
        { when: { toolResult: 'sunny' }, text: 'It is sunny in Paris.' },
      ],
    });
    const result = await h.drive(h.session.run({ userInput: 'weather please' }));
    result.expect.nextEvent().isMessage({ role: 'user' });
    result.expect.nextEvent().isMessage({ role: 'assistant', text: 'Let me check.' });
    result.expect.nextEvent().isFunctionCall({ name: 'get_weather', arguments: { city: 'Paris' } });
    result.expect.nextEvent().isFunctionCallOutput({ output: 'sunny in Paris' });
    result.expect.nextEvent().isMessage({ role: 'assistant', text: 'It is sunny in Paris.' });
    result.expect.noMoreEvents();
  });
});
