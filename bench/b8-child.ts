/**
 * Child process of B8 (a clean heap and event loop per run). Prints one JSON line.
 *   <ui|off> <warmupSeconds> <seconds>: one session on the real clock whose output plays a
 *   20 ms frame every 20 ms, under a busy workload (a reply streamed token by token, many
 *   short sentences, a tool per turn, a typed turn every second that interrupts it), with
 *   `renderConsole` drawing the live console to a fake terminal (`ui`) or no UI (`off`).
 *   Reports the lateness of every output tick (tick time − due time) while measuring.
 */

import { PerformanceObserver } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import {
  Agent,
  AgentSession,
  type LLM,
  type LLMChunk,
  type LLMRequest,
  type ModelCallContext,
  tool,
} from '../src/index.js';
import { ZeroTTS } from './models.js';
import { FRAME_MS, PacedOutput } from './paced.js';
import { summarize } from './stats.js';

const TURN_EVERY_MS = 1000;
/** The model streams two tokens (words) every 10 ms: ~200 a second, far ahead of speech. */
const TOKEN_MS = 10;
const TOKENS_PER_TICK = 2;
/** Sentences per answer: more than a second of speech, so every turn is interrupted. */
const SENTENCES = 40;
/** 20 ms frames per sentence: 200 ms of speech each. */
const FRAMES_PER_SENTENCE = 10;

/**
 * A model that streams word by word on the real clock: to a user turn, a short preamble and
 * a tool call; to the tool's result, SENTENCES short sentences.
 */
class ChattyLLM implements LLM {
  readonly label = 'chatty-llm';
  #calls = 0;

  async *chat(request: LLMRequest, ctx: ModelCallContext): AsyncIterable<LLMChunk> {
    const afterTool = request.messages.at(-1)?.role === 'tool';
    const sentences = afterTool
      ? Array.from({ length: SENTENCES }, (_, i) => `Here is short sentence number ${i + 1}.`)
      : ['Let me look that up.'];
    const words = sentences.join(' ').split(' ');
    for (let i = 0; i < words.length; i++) {
      if (i % TOKENS_PER_TICK === 0) await ctx.clock.sleep(TOKEN_MS, ctx.signal);
      yield { type: 'text', delta: `${words[i]} ` };
    }
    if (!afterTool) {
      const id = `call_${++this.#calls}`;
      yield { type: 'tool_call', call: { id, name: 'lookup', arguments: '{"query":"x"}' } };
    }
    yield { type: 'usage', promptTokens: 100, completionTokens: 50 };
  }
}

/** A terminal that throws what it is given away (and counts it). */
class NullTerminal extends Writable {
  readonly isTTY = true;
  columns = 120;
  rows = 50;
  writes = 0;
  bytes = 0;

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.writes++;
    this.bytes += chunk.length;
    done();
  }
}

async function run(ui: boolean, warmupSeconds: number, seconds: number): Promise<void> {
  const late: number[] = [];
  let measuring = false;
  let speaking = 0;
  const output = new PacedOutput(FRAME_MS, (lateMs, playing) => {
    if (!measuring) return;
    late.push(Math.max(0, lateMs));
    if (playing) speaking++;
  });
  const session = new AgentSession({
    llm: new ChattyLLM(),
    tts: new ZeroTTS(FRAMES_PER_SENTENCE),
    output,
  });
  let events = 0;
  let turns = 0;
  session.onAny((e) => {
    if (!measuring) return;
    events++;
    if (e.type === 'user.turn') turns++;
  });
  const terminal = new NullTerminal();
  let unmount = () => {};
  if (ui) {
    // Ink only draws at exit under a CI variable (is-in-ci reads it once, on import), and
    // colours follow the terminal: look like an interactive colour terminal.
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
    process.env.FORCE_COLOR = '3';
    const { renderConsole } = await import('../src/ui/render-console.js');
    const stdin = new Readable({ read() {} });
    const screen = renderConsole({
      events: session,
      controller: {
        interrupt: () => session.interrupt(),
        sendText: (text) => void session.sendUserText(text),
        say: (text) => void session.say(text),
        toggleMute: () => false,
        toggleAudio: () => 'audio',
        quit: () => {},
      },
      header: {
        title: 'voxagent dev',
        agentName: 'Bench',
        models: [
          { role: 'llm', name: 'chatty-llm' },
          { role: 'tts', name: 'zero-tts' },
        ],
        mode: 'audio',
      },
      now: () => session.clock.now(),
      // A live microphone meter, polled ~15 times a second.
      getLevel: () => 0.05 + 0.3 * Math.random(),
      stdin: stdin as unknown as NodeJS.ReadStream,
      stdout: terminal as unknown as NodeJS.WriteStream,
      stderr: new NullTerminal() as unknown as NodeJS.WriteStream,
      patchConsole: false,
    });
    unmount = () => screen.unmount();
  }
  await session.start({
    agent: new Agent({
      name: 'Bench',
      instructions: 'x',
      tools: {
        lookup: tool({
          description: 'look something up',
          execute: async () => {
            await new Promise((r) => setTimeout(r, 30));
            return 'three results';
          },
        }),
      },
    }),
  });
  let n = 0;
  const typed = () => {
    session.sendUserText(`question number ${n++}`);
  };
  typed();
  const typing = setInterval(typed, TURN_EVERY_MS);
  await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
  const gcs: number[] = [];
  const observer = new PerformanceObserver((list) => {
    if (measuring) for (const e of list.getEntries()) gcs.push(e.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  const writes0 = terminal.writes;
  const bytes0 = terminal.bytes;
  measuring = true;
  const elu0 = performance.eventLoopUtilization();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elu = performance.eventLoopUtilization(elu0).utilization;
  measuring = false;
  clearInterval(typing);
  observer.disconnect();
  unmount();
  const s = summarize(late);
  console.log(
    JSON.stringify({
      ui,
      frames: s.n,
      p50: s.median,
      p99: s.p99,
      max: s.max,
      late,
      speaking,
      events,
      turns,
      seconds,
      screenWrites: terminal.writes - writes0,
      screenBytes: terminal.bytes - bytes0,
      elu,
      gcMaxMs: gcs.length ? Math.max(...gcs) : 0,
      gcTotalMs: gcs.reduce((a, b) => a + b, 0),
      // React's development build (NODE_ENV not 'production') times every component render
      // with performance.measure, and Node keeps each entry.
      measures: performance.getEntriesByType('measure').length,
      nodeEnv: process.env.NODE_ENV ?? null,
    }),
  );
  process.exit(0);
}

const [mode, warmup, seconds] = process.argv.slice(2);
if (mode !== 'ui' && mode !== 'off') throw new Error(`unknown mode ${mode}`);
await run(mode === 'ui', Number(warmup), Number(seconds));
