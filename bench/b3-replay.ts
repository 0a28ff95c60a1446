import { z } from 'zod';
import { Agent, AgentTask, tool } from '../src/index.js';
import { runSessionScript } from '../src/replay/runner.js';
import { type Row, summarize } from './stats.js';

/**
 * B3 replay speed: a scripted 10-minute conversation (tools, a task, interruptions) run by
 * the session-file runner (`voxagent replay`'s code) on the virtual clock; the figure is
 * virtual time over wall time.
 */

const RUNS = 7;
const BLOCK_MS = 100_000;

class AskPeople extends AgentTask<number> {
  constructor() {
    super({
      name: 'AskPeople',
      instructions: 'ask how many people',
      tools: {
        record: tool({
          description: 'record',
          parameters: z.object({ value: z.number() }),
          execute: async ({ value }) => {
            this.complete(value);
            return 'recorded';
          },
        }),
      },
      onEnter: (a) => {
        a.session.generateReply();
      },
    });
  }
}

const agent = () =>
  new Agent({
    name: 'Concierge',
    instructions: 'help',
    tools: {
      get_weather: tool({ description: 'weather', execute: async () => 'sunny, 21 degrees' }),
      book: tool({
        description: 'book a table',
        execute: async (_a, ctx) => {
          await ctx.waitForPlayout();
          void ctx.session.say('One moment while I check the tables.');
          return `booked for ${await new AskPeople()}`;
        },
      }),
    },
  });

/** One 100 s block of the conversation; the script repeats it six times. */
function block(start: number): Record<string, unknown>[] {
  const at = (s: number) => `${start + s * 1000}ms`;
  return [
    { at: at(1), speech: "what's the weather in Paris", duration: '1.5s' },
    { at: at(12), speech: 'book a table for tonight', duration: '1.4s' },
    { at: at(22), speech: '4', duration: '400ms' },
    { at: at(35), speech: 'tell me a story', duration: '1s' },
    { at: at(39), speech: 'actually, stop, what time is it', duration: '1.6s' },
    { at: at(52), text: 'thanks', source: 'text' },
    { at: at(60), reply: { userInput: 'anything else?' } },
    { at: at(70), noise: '300ms' },
    { at: at(80), speech: 'goodbye for now', duration: '1s' },
  ];
}

export function tenMinuteScript(): Record<string, unknown> {
  const user = [
    ...Array.from({ length: 6 }, (_, i) => block(i * BLOCK_MS)).flat(),
    { at: '599s', text: 'bye', source: 'text' },
  ];
  const story = Array.from({ length: 12 }, (_, i) => `This is sentence ${i + 1} of a long story.`);
  return {
    name: 'ten-minute conversation',
    agent: 'unused.ts',
    models: {
      llm: [
        {
          when: { input: 'weather' },
          text: 'Let me check.',
          toolCalls: [{ name: 'get_weather' }],
          ttft: '300ms',
          repeat: true,
        },
        {
          when: { toolResult: 'sunny' },
          text: 'It is sunny and 21 degrees in Paris.',
          ttft: '200ms',
          repeat: true,
        },
        {
          when: { input: 'book' },
          text: 'Sure.',
          toolCalls: [{ name: 'book' }],
          ttft: '300ms',
          repeat: true,
        },
        {
          when: { input: '/^4$/' },
          toolCalls: [{ name: 'record', arguments: { value: 4 } }],
          ttft: '200ms',
          repeat: true,
        },
        { when: { agent: 'AskPeople' }, text: 'For how many people?', ttft: '200ms', repeat: true },
        {
          when: { toolResult: 'booked' },
          text: 'Your table for 4 is booked.',
          ttft: '200ms',
          repeat: true,
        },
        {
          when: { input: 'story' },
          text: story.join(' '),
          ttft: '300ms',
          duration: '2s',
          repeat: true,
        },
        { fallback: true, text: 'Sure, happy to help.', ttft: '250ms' },
      ],
      tts: { msPerChar: 55, ttfb: '120ms' },
    },
    user,
    run: { limit: '15m' },
    expect: { noUnhandledError: false },
  };
}

export async function runB3(): Promise<Row[]> {
  const ratios: number[] = [];
  let detail = '';
  for (let i = 0; i < RUNS; i++) {
    const r = await runSessionScript(tenMinuteScript(), { agent });
    const count = (type: string) => r.eventLog.filter((e) => e.type === type).length;
    if (r.deadlocks.length > 0 || r.errors.length > 0) {
      throw new Error(
        `the 10-minute script did not run cleanly: ${[...r.errors, ...r.deadlocks.map((d) => d.description)].join('; ')}`,
      );
    }
    ratios.push(r.virtualMs / r.wallMs);
    detail = `${(r.virtualMs / 60000).toFixed(1)} virtual min in ~${r.wallMs.toFixed(0)} ms; ${r.events} events, ${count('user.turn')} turns, ${count('tool.finished')} tool calls, ${count('task.completed')} tasks, ${count('speech.interrupted')} interruptions`;
  }
  const s = summarize(ratios);
  return [
    {
      id: 'B3',
      figure: 'replay speed (virtual ÷ wall time), session-file runner',
      median: s.median,
      p95: s.min,
      unit: '×',
      target: '≥ 1000×',
      met: s.median >= 1000,
      note: `median of ${RUNS} runs (p95 column: slowest run); ${detail}`,
    },
  ];
}
