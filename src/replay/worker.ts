import { parentPort, workerData } from 'node:worker_threads';
import { type FileJob, runFileJob } from './file-job.js';
import { locate } from './process-guard.js';
import type { WorkerInput, WorkerMessage } from './worker-protocol.js';

/**
 * The worker thread of one session file (`voxagent replay` starts one per file). Agent code
 * runs here: if it calls `process.exit()` only this thread ends, and the parent reports
 * where the call was; a busy loop or an import that never finishes is ended by the
 * parent's wall-clock bound. Host timers and rejections are caught by the runner's guard.
 */

const port = parentPort;
if (!port) throw new Error('src/replay/worker.ts runs as a worker thread');
const input = workerData as WorkerInput;
const post = (message: WorkerMessage) => port.postMessage(message);

// Stack traces of bundled agent modules point at their sources.
process.setSourceMapsEnabled(true);
// A listening port keeps the thread alive while an import awaits a promise that never
// settles: the parent's bound then reports it, as for any other hang.
port.on('message', () => {});

const exit = process.exit.bind(process);
process.exit = ((code?: number | string | null) => {
  const where = locate(new Error('process.exit'));
  post({ type: 'exit', code: code ?? process.exitCode ?? 0, where });
  exit(typeof code === 'number' ? code : 1);
}) as typeof process.exit;

const job: FileJob = input.job;
const outcome = await runFileJob(job, {
  onProgress: (progress) => post({ type: 'progress', progress }),
  replay: input.judge ? { judge: input.judge } : {},
});
post({ type: 'done', outcome });
