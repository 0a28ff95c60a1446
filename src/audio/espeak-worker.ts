/**
 * The espeak worker thread (started by `espeak-worker-client.ts`): owns the WASM engine,
 * renders one piece at a time in arrival order, and returns mono PCM at the rate asked
 * for. WAV parsing and resampling happen here too, so the caller's thread only slices
 * frames. Between requests it prepares the next instance (the expensive part).
 */
import { parentPort } from 'node:worker_threads';
import { createFrame } from '../runtime/audio/frame.js';
import { EspeakEngine } from './espeak-wasm.js';
import type { FromWorker, ToWorker } from './espeak-worker-protocol.js';
import { toMonoAt } from './pcm.js';
import { parseWav } from './wav.js';

type Job = Extract<ToWorker, { t: 'synth' }>;

const port = parentPort;
if (!port)
  throw new Error('espeak-worker.ts runs as a worker thread (see espeak-worker-client.ts)');

const send = (message: FromWorker, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

const queue: Job[] = [];
let draining = false;

/**
 * Runs queued jobs one by one, yielding to the message port between them (setImmediate)
 * so that a `cancel` sent while a piece renders is seen before the next piece starts.
 */
async function drain(engine: EspeakEngine): Promise<void> {
  if (draining) return;
  draining = true;
  try {
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const job = queue.shift();
      if (!job) break;
      await run(engine, job);
    }
    // Idle: get the next utterance's instance ready now rather than when it is asked for.
    // If that fails, the next request instantiates again and reports the failure itself.
    await engine.prepare().catch(() => {});
  } finally {
    draining = false;
  }
  if (queue.length) void drain(engine);
}

async function run(engine: EspeakEngine, job: Job): Promise<void> {
  try {
    const wav = parseWav(await engine.render(job.text, job.args));
    const pcm = toMonoAt(
      createFrame(wav.samples, wav.sampleRate, wav.channels),
      job.sampleRate,
    ).data;
    // A fresh array owns its whole buffer, so transferring it moves exactly these samples.
    const own =
      pcm.byteOffset === 0 && pcm.byteLength === pcm.buffer.byteLength ? pcm : pcm.slice();
    send({ t: 'audio', id: job.id, pcm: own }, [own.buffer as ArrayBuffer]);
  } catch (error) {
    send({
      t: 'failed',
      id: job.id,
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

try {
  const engine = await EspeakEngine.load();
  port.on('message', (message: ToWorker) => {
    if (message.t === 'cancel') {
      // Only a queued job can be dropped; one being rendered takes ~50 ms and is ignored.
      const at = queue.findIndex((job) => job.id === message.id);
      if (at >= 0) queue.splice(at, 1);
      return;
    }
    queue.push(message);
    void drain(engine);
  });
  await engine.prepare();
  send({ t: 'ready' });
  void drain(engine);
} catch (error) {
  send({ t: 'fatal', message: error instanceof Error ? error.message : String(error) });
  port.close();
}
