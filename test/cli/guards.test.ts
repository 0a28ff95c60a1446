/**
 * What keeps the console's screen and process intact: warnings and stray output go to the
 * log, agent code cannot exit `dev`, and the voice meter reads what plays, not what is queued.
 */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentExitError, ExitGuard } from '../../src/cli/exit-guard.js';
import { OutputMeter } from '../../src/cli/output-meter.js';
import { guardScreen } from '../../src/cli/screen-guard.js';
import { silenceFrame, toneFrame } from '../../src/runtime/audio/frame.js';
import type { AudioOutput, PlaybackEvent } from '../../src/runtime/io/audio-output.js';

const lines: string[] = [];
const log = {
  debug: (t: string) => lines.push(`debug ${t}`),
  info: (t: string) => lines.push(`info ${t}`),
  warn: (t: string) => lines.push(`warn ${t}`),
  error: (t: string) => lines.push(`error ${t}`),
};
afterEach(() => {
  lines.length = 0;
});

/** Runs `fn` with stderr recorded (under the guard, if any, which sits on top). */
async function recordingStderr(fn: () => Promise<void>): Promise<string> {
  const original = process.stderr.write;
  let written = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    await fn();
  } finally {
    process.stderr.write = original;
  }
  return written;
}

const nextTicks = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the screen guard', () => {
  it('sends a MaxListenersExceededWarning to the log, not over the screen', async () => {
    const stderr = await recordingStderr(async () => {
      const guard = guardScreen(log);
      const emitter = new EventEmitter();
      for (let i = 0; i < 11; i++) emitter.on('abort', () => {});
      await nextTicks();
      guard.dispose();
    });
    expect(stderr).toBe('');
    expect(lines.some((l) => l.startsWith('warn MaxListenersExceededWarning: Possible'))).toBe(
      true,
    );
  });

  it('sends console.* and writes to stderr to the log, and lets go on dispose', async () => {
    const stderr = await recordingStderr(async () => {
      const guard = guardScreen(log);
      console.error('library says %s', 'hi');
      console.log({ a: 1 });
      process.stderr.write('partial ');
      process.stderr.write('line\nsecond\n');
      guard.dispose();
      process.stderr.write('after the screen\n');
    });
    expect(lines).toEqual([
      'error console.error: library says hi',
      'info console.log: { a: 1 }',
      'warn stderr: partial line',
      'warn stderr: second',
    ]);
    expect(stderr).toBe('after the screen\n');
  });

  it('restores Node’s own warning printer when it is disposed', async () => {
    const before = process.listeners('warning');
    guardScreen(log).dispose();
    expect(process.listeners('warning')).toEqual(before);
  });
});

describe('the exit guard', () => {
  const ignored: (number | undefined)[] = [];
  const guard = new ExitGuard({ onIgnored: (code) => ignored.push(code) });
  afterEach(() => {
    guard.dispose();
    ignored.length = 0;
  });

  it('turns process.exit in a load into an error of that load', async () => {
    const realExit = process.exit;
    guard.install();
    const load = guard.during(async () => {
      await Promise.resolve();
      process.exit(0);
    });
    await expect(load).rejects.toBeInstanceOf(AgentExitError);
    await expect(load).rejects.toThrow('the agent code called process.exit(0) while loading');
    guard.dispose();
    expect(process.exit).toBe(realExit);
  });

  it('ignores and reports process.exit outside a load, also from a timer a load left behind', async () => {
    guard.install();
    let fire!: () => void;
    const fired = new Promise<void>((resolve) => {
      fire = resolve;
    });
    await guard.during(async () => {
      setImmediate(() => {
        process.exit(3);
        fire();
      });
    });
    await fired;
    process.exit(1);
    expect(ignored).toEqual([3, 1]);
  });
});

/** An output that reports `started` at its first frame, like the device and room outputs. */
class ReportingOutput implements AudioOutput {
  readonly label = 'test';
  readonly sampleRate = 16_000;
  readonly canPause = true;
  readonly #listeners = new Set<(e: PlaybackEvent) => void>();
  #open = false;
  captureFrame(): void {
    if (!this.#open) this.emit({ type: 'started' });
    this.#open = true;
  }
  flush(): void {
    this.#open = false;
  }
  clear(): void {
    this.#open = false;
    this.emit({ type: 'finished', positionMs: 0, interrupted: true });
  }
  emit(e: PlaybackEvent): void {
    for (const l of this.#listeners) l(e);
  }
  onPlayback(l: (e: PlaybackEvent) => void): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }
}

describe('the voice meter', () => {
  it('follows the audio that plays now, not the audio queued ahead', () => {
    let now = 1000;
    const inner = new ReportingOutput();
    const meter = new OutputMeter(inner, () => now);
    expect(meter.level()).toBe(0);
    // Two seconds queued at once: 1 s of silence, then 1 s of tone.
    meter.captureFrame(silenceFrame(1000, 16_000));
    meter.captureFrame(toneFrame(1000, 16_000, 440, 16_000));
    meter.flush();
    now += 500;
    expect(meter.level()).toBe(0);
    now += 1000;
    expect(meter.level()).toBeGreaterThan(0.3);
    // A pause holds the position.
    meter.pause();
    now += 5000;
    expect(meter.level()).toBeGreaterThan(0.3);
    meter.resume();
    now += 600;
    expect(meter.level()).toBe(0);
  });

  it('drops to zero at once on clear', () => {
    const now = 0;
    const meter = new OutputMeter(new ReportingOutput(), () => now);
    meter.captureFrame(toneFrame(1000, 16_000, 440, 16_000));
    expect(meter.level()).toBeGreaterThan(0.3);
    meter.clear();
    expect(meter.level()).toBe(0);
  });
});
