import { Agent, AgentSession, DEFAULT_PLAYOUT_SETTLE_MS } from '../src/index.js';
import { RealTimeOutput, ZeroLLM, ZeroTTS } from './models.js';
import { type Row, summarize, tick } from './stats.js';

/**
 * B2 interrupt settle, on the real clock: from `interrupt()` to its promise settling (every
 * waitForPlayout of the interrupted handle settled) with the output cleared. With a
 * reporting output it should be immediate; with one that never reports, the configured
 * bound (DEFAULT_PLAYOUT_SETTLE_MS) plus a little.
 */

async function measure(reporting: boolean, reps: number, warmup: number): Promise<number[]> {
  const output = new RealTimeOutput(reporting);
  // 200 frames of 20 ms: a 4 s sentence, far longer than the measurement.
  const session = new AgentSession({ llm: new ZeroLLM(), tts: new ZeroTTS(200), output });
  await session.start({ agent: new Agent({ name: 'Bench', instructions: 'x' }) });
  const samples: number[] = [];
  for (let i = 0; i < warmup + reps; i++) {
    const playing = new Promise<void>((resolve) => {
      output.onFirstFrame = () => resolve();
    });
    const handle = session.say('A long sentence that keeps the output busy.');
    await playing;
    await tick();
    const cleared = output.cleared;
    const t0 = performance.now();
    await session.interrupt();
    const dt = performance.now() - t0;
    if (output.cleared !== cleared + 1) throw new Error('interrupt() did not clear the output');
    if (!handle.done || handle.endReason !== 'interrupted') {
      throw new Error(`interrupt() settled with the handle ${handle.state} (${handle.endReason})`);
    }
    if (i >= warmup) samples.push(dt);
  }
  await session.close();
  return samples;
}

export async function runB2(): Promise<Row[]> {
  const fast = summarize(await measure(true, 500, 50));
  const bound = DEFAULT_PLAYOUT_SETTLE_MS;
  const silent = summarize((await measure(false, 20, 2)).map((v) => v - bound));
  return [
    {
      id: 'B2a',
      figure: 'interrupt() → settled, reporting output',
      median: fast.median,
      p95: fast.p95,
      unit: 'ms',
      target: '≤ 1 ms median',
      met: fast.median <= 1,
      note: `${fast.n} interrupts after 50 warm-up`,
    },
    {
      id: 'B2b',
      figure: `interrupt() → settled, silent output, minus ${bound} ms bound`,
      median: silent.median,
      p95: silent.p95,
      unit: 'ms',
      target: '≤ 2 ms over the bound',
      met: silent.median <= 2 && silent.median >= -0.5,
      note: `${silent.n} interrupts (each waits the ${bound} ms bound)`,
    },
  ];
}
