import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromWorker, SynthRequest, ToWorker } from './espeak-worker-protocol.js';

/**
 * The caller's side of the espeak worker thread. One worker renders every piece, in the
 * order asked; it is started on first use (or by `warmUp()`), kept alive and reused, and
 * restarted after a crash. It does not keep the process alive while nothing is pending.
 */
export class EspeakWorkerClient {
  #worker: Worker | null = null;
  #ready: Promise<void> | null = null;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  /** Callers awaiting `warmUp()`: the worker is ref'd while they or requests wait. */
  #warming = 0;

  /** Starts the worker in the background (compiling espeak-ng there) without waiting for it. */
  start(): void {
    this.#start();
  }

  /** Starts the worker (if needed); resolves once espeak-ng is compiled and an instance is prepared. */
  warmUp(): Promise<void> {
    this.#start();
    this.#warming++;
    this.#updateRef();
    const ready = this.#ready ?? Promise.resolve();
    return ready.finally(() => {
      this.#warming--;
      this.#updateRef();
    });
  }

  /** Renders one text piece to mono s16 PCM at `request.sampleRate`. */
  synthesize(request: SynthRequest, signal?: AbortSignal): Promise<Int16Array> {
    const worker = this.#start();
    const id = ++this.#nextId;
    return new Promise<Int16Array>((resolve, reject) => {
      const onAbort = () => {
        this.#settle(id);
        worker.postMessage({ t: 'cancel', id } satisfies ToWorker);
        reject(signal?.reason ?? new Error('aborted'));
      };
      if (signal?.aborted) {
        reject(signal.reason ?? new Error('aborted'));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      });
      this.#updateRef();
      worker.postMessage({ t: 'synth', id, ...request } satisfies ToWorker);
    });
  }

  /** Stops the worker; pending requests fail. */
  async close(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    this.#fail(worker, new Error('espeak-ng worker closed'));
    await worker.terminate();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const { code, entry } = workerEntry();
    // stdout/stderr are piped and never read: whatever the worker prints (a Node warning)
    // would otherwise land on the terminal and corrupt an Ink screen; failures arrive as
    // messages. Not read because a flowing worker stdio stream keeps the process alive
    // even while the worker is unref'd (Node 20); the worker prints next to nothing.
    const worker = new Worker(code ?? entry, {
      eval: code !== undefined,
      stdout: true,
      stderr: true,
    });
    this.#worker = worker;
    this.#ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.t === 'ready') resolve();
        else if (message.t === 'fatal') {
          const error = new Error(`espeak-ng failed to load: ${message.message}`);
          reject(error);
          this.#fail(worker, error);
        } else if (message.t === 'audio') this.#settle(message.id)?.resolve(message.pcm);
        else this.#settle(message.id)?.reject(new Error(message.message));
      });
      worker.on('error', (error) => {
        reject(error);
        this.#fail(worker, new Error(`espeak-ng worker crashed: ${error.message}`));
      });
      worker.on('exit', (code) => {
        const error = new Error(`espeak-ng worker exited (code ${code})`);
        reject(error);
        this.#fail(worker, error);
      });
    });
    // Nobody may be waiting for readiness; its failure is reported through the requests.
    this.#ready.catch(() => {});
    this.#updateRef();
    return worker;
  }

  /** Forgets the worker (the next request starts a new one) and fails what was pending. */
  #fail(worker: Worker, error: Error): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    this.#ready = null;
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(error);
  }

  #settle(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (!pending) return undefined;
    this.#pending.delete(id);
    pending.cleanup();
    this.#updateRef();
    return pending;
  }

  #updateRef(): void {
    if (!this.#worker) return;
    if (this.#pending.size > 0 || this.#warming > 0) this.#worker.ref();
    else this.#worker.unref();
  }
}

interface Pending {
  resolve(pcm: Int16Array): void;
  reject(error: unknown): void;
  cleanup(): void;
}

let shared: EspeakWorkerClient | null = null;

/** The process-wide worker: every EspeakTTS shares it (one compiled module, one thread). */
export function sharedEspeakWorker(): EspeakWorkerClient {
  shared ??= new EspeakWorkerClient();
  return shared;
}

/**
 * Which worker script runs: the compiled `espeak-worker.js` next to this file in `dist/`,
 * or, when this module is the `.ts` source (dev, vitest, tsx), `espeak-worker.ts` behind a
 * bootstrap that registers tsx in the worker first. `--import tsx` in a worker's execArgv
 * does not help: tsx's loader registers its hooks only on the main thread, while its
 * `register()` API works in workers. Resolved from this file, so any cwd works.
 */
function workerEntry(): { code?: string; entry: URL } {
  const self = fileURLToPath(import.meta.url);
  if (!self.endsWith('.ts')) return { entry: new URL('./espeak-worker.js', import.meta.url) };
  const entry = new URL('./espeak-worker.ts', import.meta.url);
  const api = JSON.stringify(tsxApiUrl());
  const code = `import(${api}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return { code, entry };
}

/** `tsx/esm/api` as ESM (require.resolve would give its CommonJS build, which fails here). */
function tsxApiUrl(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports?: Record<string, { import?: { default?: string } } | string>;
  };
  const target = pkg.exports?.['./esm/api'];
  const file =
    typeof target === 'object' && target.import?.default
      ? target.import.default
      : './dist/esm/api/index.mjs';
  return pathToFileURL(join(dirname(manifest), file)).href;
}
