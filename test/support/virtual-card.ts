/**
 * The PulseAudio virtual sound card of `.ci/setup-audio.sh`, for tests: is it reachable,
 * play PCM into the "microphone" (sink `micsink`, heard by source `mic`), record the
 * "speakers" (`speaker.monitor`). Uses pactl/pacat/parec from pulseaudio-utils.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface CardProbe {
  readonly available: boolean;
  /** Why it is not available (empty when it is). */
  readonly reason: string;
  /** Environment for processes that must reach the card (naudiodon child, pacat, parec). */
  readonly env: Record<string, string>;
}

/** Where setup-audio.sh puts the PulseAudio socket unless told otherwise. */
export const DEFAULT_CARD_RUNTIME_DIR = process.env.VOXAGENT_XDG_RUNTIME_DIR ?? '/tmp/voxagent-xdg';

export function cardEnv(): Record<string, string> {
  const own = process.env.XDG_RUNTIME_DIR;
  const dir = own && existsSync(join(own, 'pulse', 'native')) ? own : DEFAULT_CARD_RUNTIME_DIR;
  const env: Record<string, string> = { XDG_RUNTIME_DIR: dir };
  if (process.env.PULSE_SERVER) env.PULSE_SERVER = process.env.PULSE_SERVER;
  return env;
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: 5000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}

/** Checks that PulseAudio answers and has the sinks/sources and defaults the tests need. */
export async function probeVirtualCard(): Promise<CardProbe> {
  const env = cardEnv();
  const fail = (reason: string): CardProbe => ({ available: false, reason, env });
  let info: string;
  try {
    info = await run('pactl', ['info'], env);
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return fail(`PulseAudio is not reachable at ${env.XDG_RUNTIME_DIR} (${why})`);
  }
  const sinks = await run('pactl', ['list', 'short', 'sinks'], env);
  const sources = await run('pactl', ['list', 'short', 'sources'], env);
  const names = (table: string) => table.split('\n').map((line) => line.split('\t')[1]);
  for (const sink of ['speaker', 'micsink']) {
    if (!names(sinks).includes(sink)) return fail(`PulseAudio has no sink "${sink}"`);
  }
  if (!names(sources).includes('mic')) return fail('PulseAudio has no source "mic"');
  if (!/^Default Sink: speaker$/m.test(info)) return fail('the default sink is not "speaker"');
  if (!/^Default Source: mic$/m.test(info)) return fail('the default source is not "mic"');
  return { available: true, reason: '', env };
}

function exited(child: ChildProcess, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function pcmArgs(sampleRate: number): string[] {
  return ['--raw', '--format=s16le', `--rate=${sampleRate}`, '--channels=1'];
}

/** Plays mono s16 PCM into `micsink`, so it comes out of the `mic` source; resolves once played. */
export async function playIntoMic(
  pcm: Int16Array,
  sampleRate: number,
  env: Record<string, string>,
  timeoutMs = 10_000,
): Promise<void> {
  const child = spawn(
    'pacat',
    ['-p', '-d', 'micsink', ...pcmArgs(sampleRate), '--latency-msec=20'],
    {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'ignore', 'ignore'],
    },
  );
  const done = exited(child, timeoutMs, 'pacat');
  child.stdin?.end(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  await done;
}

export interface Recorder {
  readonly sampleRate: number;
  /** Everything recorded so far. */
  samples(): Int16Array;
  /** Resolves when `predicate(samples)` holds (checked on each chunk); rejects after `timeoutMs`. */
  waitFor(
    predicate: (samples: Int16Array) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<void>;
  stop(): Promise<Int16Array>;
}

/** Records `speaker.monitor` (what the agent plays) as mono s16 PCM. */
export function recordSpeaker(sampleRate: number, env: Record<string, string>): Recorder {
  const child = spawn(
    'parec',
    ['-d', 'speaker.monitor', ...pcmArgs(sampleRate), '--latency-msec=10'],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const chunks: Buffer[] = [];
  let bytes = 0;
  let cached: Int16Array | null = null;
  const checks = new Set<() => void>();
  let stopping: Promise<Int16Array> | null = null;
  child.stdout?.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    bytes += chunk.length;
    cached = null;
    for (const check of [...checks]) check();
  });
  const samples = (): Int16Array => {
    if (cached) return cached;
    const all = Buffer.concat(chunks, bytes);
    const out = new Int16Array(all.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = all.readInt16LE(i * 2);
    cached = out;
    return out;
  };
  return {
    sampleRate,
    samples,
    waitFor(predicate, timeoutMs, what) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(samples())) return;
          checks.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          checks.delete(check);
          reject(new Error(`recording: ${what} not seen within ${timeoutMs} ms`));
        }, timeoutMs);
        checks.add(check);
        check();
      });
    },
    stop() {
      stopping ??= (async () => {
        const done = exited(child, 3000, 'parec');
        child.kill('SIGTERM');
        await done;
        return samples();
      })();
      return stopping;
    },
  };
}

/** Milliseconds of `samples` whose 10 ms windows are louder than `threshold` (RMS, 0..1). */
export function loudMs(samples: Int16Array, sampleRate: number, threshold = 0.02): number {
  return loudWindows(samples, sampleRate, threshold).length * 10;
}

/** Start indices (in samples) of the 10 ms windows louder than `threshold`. */
export function loudWindows(samples: Int16Array, sampleRate: number, threshold = 0.02): number[] {
  const size = Math.round(sampleRate / 100);
  const out: number[] = [];
  for (let start = 0; start + size <= samples.length; start += size) {
    let sum = 0;
    for (let i = start; i < start + size; i++) sum += samples[i]! * samples[i]!;
    if (Math.sqrt(sum / size) / 32768 > threshold) out.push(start);
  }
  return out;
}
