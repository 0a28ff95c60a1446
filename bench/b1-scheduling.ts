import { Agent, AgentSession } from '../src/index.js';
import { InstantOutput, PushSTT, ZeroLLM, ZeroTTS } from './models.js';
import { type Row, summarize, tick } from './stats.js';

/**
 * B1 scheduling overhead, on the REAL clock with zero-latency models: from
 * `generateReply({ userInput })`, and from a final transcript, to the first audio frame at
 * the output. The final-transcript path runs with `minEndpointingDelayMs: 0`, so what is
 * left is the runtime's own cost of committing the turn.
 */

const WARMUP = 100;
const REPS = 1000;
/** A fresh session every so many turns keeps the chat history (sent to the model) short. */
const TURNS_PER_SESSION = 25;

type Rig = { session: AgentSession; output: InstantOutput };

async function measure(
  open: () => Promise<Rig>,
  start: (rig: Rig) => PromiseLike<void>,
): Promise<number[]> {
  const samples: number[] = [];
  let rig = await open();
  for (let i = 0; i < WARMUP + REPS; i++) {
    if (i > 0 && i % TURNS_PER_SESSION === 0) {
      await rig.session.close();
      rig = await open();
    }
    const { session, output } = rig;
    let t0 = 0;
    const first = new Promise<number>((resolve) => {
      output.onFirstFrame = resolve;
    });
    t0 = performance.now();
    const done = start(rig);
    const at = await first;
    if (i >= WARMUP) samples.push(at - t0);
    await done;
    await session.waitForIdle();
    if (i % 50 === 0) await tick();
  }
  await rig.session.close();
  return samples;
}

async function newSession(stt?: PushSTT) {
  const output = new InstantOutput(true);
  const session = new AgentSession({
    llm: new ZeroLLM(),
    tts: new ZeroTTS(1),
    output,
    ...(stt ? { stt } : {}),
    turnDetection: { minEndpointingDelayMs: 0 },
  });
  await session.start({ agent: new Agent({ name: 'Bench', instructions: 'x' }) });
  return { session, output };
}

/** B1a on one long conversation: the model request is rebuilt from the whole history. */
async function longHistory() {
  const rig = await newSession();
  for (let i = 0; i < 500; i++) await rig.session.generateReply({ userInput: `turn ${i}` });
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const first = new Promise<number>((resolve) => {
      rig.output.onFirstFrame = resolve;
    });
    const t0 = performance.now();
    const done = rig.session.generateReply({ userInput: 'hello' });
    samples.push((await first) - t0);
    await done;
  }
  await rig.session.close();
  return summarize(samples);
}

export async function runB1(): Promise<Row[]> {
  const fromReply = summarize(
    await measure(
      () => newSession(),
      (r) => r.session.generateReply({ userInput: 'hello' }),
    ),
  );
  let stt = new PushSTT();
  const fromFinal = summarize(
    await measure(
      () => {
        stt = new PushSTT();
        return newSession(stt);
      },
      () => {
        stt.push({ type: 'start_of_speech' });
        stt.push({ type: 'end_of_speech' });
        stt.push({ type: 'final', text: 'hello' });
        return Promise.resolve();
      },
    ),
  );
  const row = (id: string, figure: string, s: ReturnType<typeof summarize>): Row => ({
    id,
    figure,
    median: s.median,
    p95: s.p95,
    unit: 'ms',
    target: '≤ 0.5 / ≤ 2 ms',
    met: s.median <= 0.5 && s.p95 <= 2,
    note: `${s.n} turns after ${WARMUP} warm-up, real clock, ${TURNS_PER_SESSION} turns/session`,
  });
  const long = await longHistory();
  return [
    row('B1a', 'generateReply({userInput}) → first frame', fromReply),
    row('B1b', 'final transcript → first frame', fromFinal),
    {
      id: 'B1c',
      figure: 'same as B1a with a 500-turn chat history',
      median: long.median,
      p95: long.p95,
      unit: 'ms',
      target: '(report)',
      met: null,
      note: `${long.n} turns on one session after 500 unmeasured ones (history is rebuilt per request)`,
    },
  ];
}
