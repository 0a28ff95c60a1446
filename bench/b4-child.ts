/**
 * Child process of B4 (a clean heap and event loop per measurement). Prints one JSON line.
 *   lateness <sessions> <seconds>: N sessions on the real clock, each with 20 ms input and
 *     output frames and a turn every 4 s; p50/p99/max lateness of output frames.
 *   bare <count> <seconds>: the same input/output timers without sessions (a control).
 *   heap <sessions>: heap per idle session and per session after one turn (needs --expose-gc).
 */

import { PerformanceObserver } from 'node:perf_hooks';
import {
  Agent,
  AgentSession,
  type AudioFrame,
  type AudioInput,
  silenceFrame,
} from '../src/index.js';
import { PushSTT, ZeroLLM, ZeroTTS } from './models.js';
import { FRAME_MS, PacedOutput, ticker } from './paced.js';
import { summarize } from './stats.js';

const TURN_EVERY_MS = 4000;

/** A microphone: one 20 ms frame every 20 ms. */
class PacedInput implements AudioInput {
  readonly label = 'paced input';
  readonly sampleRate = 16000;
  readonly #frame = silenceFrame(FRAME_MS, 16000);
  constructor(readonly offsetMs: number) {}

  async *frames(signal: AbortSignal): AsyncIterable<AudioFrame> {
    let wake: (() => void) | undefined;
    let ready = 0;
    const stop = ticker(this.offsetMs, () => {
      ready++;
      wake?.();
    });
    signal.addEventListener('abort', () => wake?.(), { once: true });
    try {
      while (!signal.aborted) {
        if (ready === 0) await new Promise<void>((r) => (wake = r));
        wake = undefined;
        for (; ready > 0; ready--) yield this.#frame;
      }
    } finally {
      stop();
    }
  }
}

const REPLY = 'Sure, I can help with that. Here is what I found for you today.';

/** The same input and output timers with no session behind them: the machine's share. */
function bareHarness(i: number, late: number[], measuring: () => boolean) {
  const offset = (i * 7) % FRAME_MS;
  const output = new PacedOutput(offset, (ms) => {
    if (measuring()) late.push(Math.max(0, ms));
  });
  const stop = new AbortController();
  void (async () => {
    for await (const _ of new PacedInput(offset).frames(stop.signal)) {
      // consumed
    }
  })();
  return () => {
    stop.abort();
    output.stop();
  };
}

async function lateness(count: number, seconds: number, bare = false): Promise<void> {
  const late: number[] = [];
  let measuring = false;
  let turns = 0;
  const sessions: { session: AgentSession; output: PacedOutput; stopTurns: () => void }[] = [];
  for (let i = 0; i < count && bare; i++) bareHarness(i, late, () => measuring);
  for (let i = 0; i < count && !bare; i++) {
    const offset = (i * 7) % FRAME_MS;
    const stt = new PushSTT();
    const output = new PacedOutput(offset, (ms) => {
      if (measuring) late.push(Math.max(0, ms));
    });
    // 2 sentences × 25 frames: a 1 s answer per turn.
    const session = new AgentSession({
      llm: new ZeroLLM(REPLY),
      tts: new ZeroTTS(25),
      stt,
      input: new PacedInput(offset),
      output,
      turnDetection: { minEndpointingDelayMs: 200 },
    });
    session.on('speech.done', () => {
      if (measuring) turns++;
    });
    await session.start({ agent: new Agent({ name: 'Bench', instructions: 'x' }) });
    let n = 0;
    const turnTimer = setTimeout(
      function turn() {
        stt.push({ type: 'start_of_speech' });
        stt.push({ type: 'end_of_speech' });
        stt.push({ type: 'final', text: `question ${n++}` });
        next = setTimeout(turn, TURN_EVERY_MS);
      },
      (i * 37) % TURN_EVERY_MS,
    );
    let next = turnTimer;
    sessions.push({ session, output, stopTurns: () => clearTimeout(next) });
  }
  await new Promise((r) => setTimeout(r, 2000));
  const gcs: number[] = [];
  const observer = new PerformanceObserver((list) => {
    if (measuring) for (const e of list.getEntries()) gcs.push(e.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  measuring = true;
  const elu0 = performance.eventLoopUtilization();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elu = performance.eventLoopUtilization(elu0).utilization;
  measuring = false;
  for (const s of sessions) s.stopTurns();
  observer.disconnect();
  const s = summarize(late);
  const g = summarize(gcs);
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  console.log(
    JSON.stringify({
      sessions: count,
      frames: s.n,
      p50: s.median,
      p99: s.p99,
      max: s.max,
      turns,
      elu,
      gcCount: g.n,
      gcMaxMs: g.max,
      gcTotalMs: gcs.reduce((a, b) => a + b, 0),
      heapMb,
    }),
  );
  process.exit(0);
}

async function heap(count: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      gc();
    }
    return process.memoryUsage().heapUsed;
  };
  const agent = () => new Agent({ name: 'Bench', instructions: 'x' });
  // Warm the code paths once so the baseline holds compiled code, not the sessions.
  const warm = new AgentSession({ llm: new ZeroLLM(), tts: new ZeroTTS(5), stt: new PushSTT() });
  await warm.start({ agent: agent() });
  await warm.generateReply({ userInput: 'warm up' });
  await warm.close();
  const base = await settle();
  const sessions: AgentSession[] = [];
  for (let i = 0; i < count; i++) {
    const s = new AgentSession({ llm: new ZeroLLM(), tts: new ZeroTTS(5), stt: new PushSTT() });
    await s.start({ agent: agent() });
    sessions.push(s);
  }
  const idle = await settle();
  for (const s of sessions) s.sendUserText('hello, how are you?');
  await Promise.all(sessions.map((s) => s.waitForIdle()));
  const after = await settle();
  // A long conversation: how much a session holds after 100 turns.
  const long = sessions.slice(0, 20);
  for (let turn = 0; turn < 99; turn++) {
    for (const s of long) s.sendUserText(`question number ${turn}`);
    await Promise.all(long.map((s) => s.waitForIdle()));
  }
  for (const s of sessions.slice(20)) await s.close();
  const hundred = await settle();
  console.log(
    JSON.stringify({
      sessions: count,
      idleBytes: (idle - base) / count,
      afterTurnBytes: (after - base) / count,
      after100TurnsBytes: (hundred - base) / long.length,
      recentEvents: long[0]!.recentEvents().length,
      historyItems: long[0]!.history.length,
    }),
  );
  process.exit(0);
}

const [mode, a, b] = process.argv.slice(2);
if (mode === 'lateness') await lateness(Number(a), Number(b));
else if (mode === 'bare') await lateness(Number(a), Number(b), true);
else if (mode === 'heap') await heap(Number(a));
else throw new Error(`unknown mode ${mode}`);
