/**
 * One hour of virtual conversation in a child process run with --expose-gc (see
 * soak.test.ts). Prints one JSON line: heap after GC every 10 virtual minutes, the length
 * of `recentEvents()`, and what the hour contained.
 */
import {
  Agent,
  AgentSession,
  AgentTask,
  type LLM,
  type LLMChunk,
  type LLMRequest,
  type ModelCallContext,
  tool,
  VirtualClock,
} from '../../src/index.js';
import { FakeTTS, FakeUserSpeech } from '../../src/testing/index.js';

const MINUTE = 60_000;
const TURN_EVERY_MS = 10_000;

/** A scripted model that keeps nothing (FakeLLM keeps every request, which would grow). */
class SoakLLM implements LLM {
  readonly label = 'soak-llm';

  async *chat(request: LLMRequest, ctx: ModelCallContext): AsyncIterable<LLMChunk> {
    await ctx.clock.sleep(200, ctx.signal);
    const last = request.messages[request.messages.length - 1];
    const text = last?.content ?? '';
    if (request.agent === 'AskCount' && last?.role === 'user') {
      yield {
        type: 'tool_call',
        call: { id: `c${ctx.clock.now()}`, name: 'record', arguments: '{}' },
      };
    } else if (last?.role === 'user' && text.includes('weather')) {
      yield { type: 'text', delta: 'Let me check. ' };
      yield {
        type: 'tool_call',
        call: { id: `c${ctx.clock.now()}`, name: 'weather', arguments: '{}' },
      };
    } else if (last?.role === 'user' && text.includes('book')) {
      yield {
        type: 'tool_call',
        call: { id: `c${ctx.clock.now()}`, name: 'book', arguments: '{}' },
      };
    } else if (last?.role === 'user' && text.includes('story')) {
      yield { type: 'text', delta: 'Once upon a time there was a very long story. ' };
      yield { type: 'text', delta: 'It went on and on for quite a while. The end.' };
    } else {
      yield { type: 'text', delta: last?.role === 'tool' ? `Done: ${text}.` : 'Sure.' };
    }
    yield { type: 'usage', promptTokens: 1, completionTokens: 1 };
  }
}

class AskCount extends AgentTask<number> {
  constructor() {
    super({
      name: 'AskCount',
      instructions: 'ask',
      tools: {
        record: tool({
          description: 'record',
          execute: async () => {
            this.complete(2);
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

const PHRASES = [
  'weather please',
  'book a table',
  'two people',
  'tell me a story',
  'stop',
  'thanks',
];

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const hours = Number(process.argv[2] ?? 1);
  const clock = new VirtualClock();
  const user = new FakeUserSpeech();
  const session = new AgentSession({
    clock,
    llm: new SoakLLM(),
    tts: new FakeTTS({ msPerChar: 50 }),
    stt: user,
    vad: user,
  });
  await session.start({
    agent: new Agent({
      name: 'Concierge',
      instructions: 'help',
      tools: {
        weather: tool({ description: 'weather', execute: async () => 'sunny' }),
        book: tool({
          description: 'book',
          execute: async (_a, ctx) => {
            void ctx.session.say('One moment.');
            return `booked for ${await new AskCount()}`;
          },
        }),
      },
    }),
  });
  const counts: Record<string, number> = {};
  session.onAny((e) => {
    counts[e.type] = (counts[e.type] ?? 0) + 1;
  });
  const end = hours * 60 * MINUTE;
  for (let t = 5000, i = 0; t < end; t += TURN_EVERY_MS, i++) {
    const phrase = PHRASES[i % PHRASES.length]!;
    // "stop" comes 3 s after the story started: it interrupts it.
    const at = phrase === 'stop' ? t - 7000 : t;
    user.speak({ startMs: at, endMs: at + 800, transcript: phrase });
  }
  const samples: { minute: number; heapMb: number }[] = [];
  for (let minute = 10; minute <= hours * 60; minute += 10) {
    await clock.sleep(minute * MINUTE - clock.now());
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
    samples.push({ minute, heapMb: process.memoryUsage().heapUsed / 2 ** 20 });
  }
  const recentEvents = session.recentEvents().length;
  const closing = session.close();
  await closing;
  console.log(
    JSON.stringify({
      samples,
      recentEvents,
      historyItems: session.history.length,
      virtualMs: clock.now(),
      counts,
    }),
  );
  process.exit(0);
}

await main();
