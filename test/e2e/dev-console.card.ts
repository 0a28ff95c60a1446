/**
 * A private speaker and microphone on the shared PulseAudio daemon of `.ci/setup-audio.sh`
 * for `dev-console.test.ts`, `dev-echo.test.ts` and `device-echo.test.ts` (which also loop
 * the speaker into the microphone, as laptop speakers are heard). Test files run in parallel: on the shared `speaker`/`mic`,
 * the device tests' tones would trip this test's VAD and this agent's speech would spoil
 * their silence checks. `voxagent dev` is pointed at the private pair with PULSE_SINK /
 * PULSE_SOURCE, which libpulse (under ALSA's `pulse`/`default` devices) honours.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface PrivateCard {
  /** For `voxagent dev`: the card's env plus PULSE_SINK / PULSE_SOURCE. */
  readonly env: Record<string, string>;
  /** Records what the agent plays (the private sink's monitor), mono s16. */
  record(sampleRate: number): Recording;
  /** Plays mono s16 PCM into the private microphone; resolves once played. */
  play(pcm: Int16Array, sampleRate: number): Promise<void>;
  /**
   * Routes the private speaker into the private microphone (PulseAudio module-loopback):
   * laptop speakers next to their microphone. Unloaded by `close()`.
   */
  loopback(latencyMs?: number): Promise<void>;
  /** Unloads the modules (and ends recordings). */
  close(): Promise<void>;
}

export interface Recording {
  samples(): Int16Array;
  /** Polls `predicate` over the samples every 20 ms; rejects after `ms`. */
  waitFor(predicate: (samples: Int16Array) => boolean, ms: number, what: string): Promise<void>;
  stop(): Promise<void>;
}

function pactl(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('pactl', args, { env: { ...process.env, ...env }, timeout: 5000 }, (error, out) =>
      error ? reject(error) : resolve(out.trim()),
    );
  });
}

const pcmArgs = (rate: number) => ['--raw', '--format=s16le', `--rate=${rate}`, '--channels=1'];

function ended(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function privateCard(
  cardEnv: Record<string, string>,
  tag: string,
): Promise<PrivateCard> {
  const sink = `vx_e2e_${tag}_speaker`;
  const micsink = `vx_e2e_${tag}_micsink`;
  const mic = `vx_e2e_${tag}_mic`;
  const modules: string[] = [];
  const children = new Set<ChildProcess>();
  const env = { ...process.env, ...cardEnv };
  const close = async () => {
    await Promise.all(
      [...children].map((child) => {
        child.kill('SIGTERM');
        return ended(child, 2000);
      }),
    );
    for (const id of modules.reverse()) await pactl(['unload-module', id], cardEnv).catch(() => {});
    modules.length = 0;
  };
  try {
    for (const args of [
      ['module-null-sink', `sink_name=${sink}`, 'rate=48000', 'channels=1'],
      ['module-null-sink', `sink_name=${micsink}`, 'rate=48000', 'channels=1'],
      ['module-remap-source', `source_name=${mic}`, `master=${micsink}.monitor`, 'channels=1'],
    ]) {
      modules.push(await pactl(['load-module', ...args], cardEnv));
    }
  } catch (error) {
    await close();
    throw error;
  }

  const track = (child: ChildProcess) => {
    children.add(child);
    child.once('close', () => children.delete(child));
    return child;
  };

  return {
    env: { ...cardEnv, PULSE_SINK: sink, PULSE_SOURCE: mic },
    record(sampleRate) {
      const args = ['-d', `${sink}.monitor`, ...pcmArgs(sampleRate), '--latency-msec=10'];
      const child = track(spawn('parec', args, { env, stdio: ['ignore', 'pipe', 'ignore'] }));
      const chunks: Buffer[] = [];
      child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
      const samples = () => {
        // A copy at offset 0 of a fresh buffer, so the Int16Array view is aligned.
        const bytes = new Uint8Array(Buffer.concat(chunks));
        return new Int16Array(bytes.buffer, 0, bytes.length >> 1);
      };
      return {
        samples,
        async waitFor(predicate, ms, what) {
          const deadline = performance.now() + ms;
          while (!predicate(samples())) {
            if (performance.now() > deadline)
              throw new Error(`recording: no ${what} within ${ms} ms`);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        },
        async stop() {
          child.kill('SIGTERM');
          await ended(child, 2000);
        },
      };
    },
    async loopback(latencyMs = 200) {
      // adjust_time=0: no latency adjustments, so the room's echo path stays as it is.
      const args = [
        `source=${sink}.monitor`,
        `sink=${micsink}`,
        `latency_msec=${latencyMs}`,
        'adjust_time=0',
      ];
      modules.push(await pactl(['load-module', 'module-loopback', ...args], cardEnv));
    },
    async play(pcm, sampleRate) {
      const args = ['-p', '-d', micsink, ...pcmArgs(sampleRate), '--latency-msec=20'];
      const child = track(spawn('pacat', args, { env, stdio: ['pipe', 'ignore', 'ignore'] }));
      const done = ended(child, 10_000 + (pcm.length / sampleRate) * 1000);
      child.stdin?.end(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      await done;
    },
    close,
  };
}
