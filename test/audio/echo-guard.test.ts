/**
 * EchoGuard in front of a stand-in canceller whose echo reduction the test sets (the real
 * canceller's timing cannot be steered): frames are 10 ms at 16 kHz, the far end is a loud
 * tone or silence, the microphone a tone at a chosen level.
 */
import { describe, expect, it } from 'vitest';
import type { FrameProcessor } from '../../src/audio/echo-aligner.js';
import { EchoGuard } from '../../src/audio/echo-guard.js';

const FRAME = 160;

/** A canceller that scales the microphone by `gain` (1: nothing removed). */
class StandIn implements FrameProcessor {
  readonly frameSamples = FRAME;
  gain = 1;
  processRender(): void {}
  processCapture(frame: Int16Array): Int16Array {
    return frame.map((s) => Math.round(s * this.gain));
  }
}

/** A 10 ms tone frame at `dbfs` (0 = full scale). */
function tone(dbfs: number, offset = 0): Int16Array {
  const amplitude = 32767 * 10 ** (dbfs / 20) * Math.SQRT2;
  return Int16Array.from({ length: FRAME }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * 440 * (i + offset)) / 16000)),
  );
}

const silent = (pcm: Int16Array) => pcm.every((s) => s === 0);

/**
 * Runs `ms` of frames: far end `far` (or silence), microphone `mic`. Counts silenced
 * frames, the first frame that came through, and when the warm-up ended.
 */
function run(guard: EchoGuard, ms: number, far: boolean, mic: Int16Array) {
  let silenced = 0;
  let firstOpenAt: number | null = null;
  let warmedAt: number | null = null;
  for (let t = 0; t < ms; t += 10) {
    guard.processRender(far ? tone(-10, t * 16) : new Int16Array(FRAME));
    const out = guard.processCapture(mic);
    if (silent(out)) silenced++;
    else firstOpenAt ??= t;
    if (!guard.warmingUp) warmedAt ??= t;
  }
  return { silenced, firstOpenAt, warmedAt };
}

describe('EchoGuard', () => {
  it('keeps the microphone shut while the far end plays until the canceller has adapted', () => {
    const inner = new StandIn();
    const guard = new EchoGuard(inner);
    // Not adapted (nothing removed): shut the whole first second.
    expect(run(guard, 1000, true, tone(-20)).silenced).toBe(100);
    // Adapted (80 dB down) after 1 s: warm until the last second measures the reduction
    // (and 2 s of far-end audio have passed), then open.
    inner.gain = 1e-4;
    expect(run(guard, 3000, true, tone(-20)).warmedAt).toBe(990);
    // Open: what the canceller lets through comes through (a voice over the echo, say).
    inner.gain = 1;
    expect(run(guard, 200, true, tone(-20)).silenced).toBe(0);
  });

  it('opens after at most 6 s of far-end audio (someone talking keeps the measure low)', () => {
    const guard = new EchoGuard(new StandIn());
    const { firstOpenAt, silenced } = run(guard, 8000, true, tone(-20));
    expect(firstOpenAt).toBe(5990);
    expect(silenced).toBe(599);
  });

  it('does not touch the microphone while the far end is silent', () => {
    const guard = new EchoGuard(new StandIn());
    const { silenced } = run(guard, 1000, false, tone(-65));
    expect(silenced).toBe(0);
    expect(guard.warmingUp).toBe(true);
  });

  it('silences frames under −60 dBFS while the far end plays, and only then', () => {
    const inner = new StandIn();
    inner.gain = 1e-4;
    const guard = new EchoGuard(inner);
    run(guard, 3000, true, tone(-20));
    expect(guard.warmingUp).toBe(false);
    inner.gain = 1;
    // Faint residue while the far end plays: silenced. A voice: kept.
    expect(run(guard, 200, true, tone(-65)).silenced).toBe(20);
    expect(run(guard, 200, true, tone(-40)).silenced).toBe(0);
    // The far end stopped: after its echo tail (500 ms) faint sound passes again.
    const after = run(guard, 1000, false, tone(-65));
    expect(after.firstOpenAt).toBeGreaterThanOrEqual(490);
    expect(after.firstOpenAt).toBeLessThanOrEqual(510);
  });

  it('after a realignment waits 0.5–1.5 s of far-end audio again', () => {
    const inner = new StandIn();
    inner.gain = 1e-4;
    const guard = new EchoGuard(inner);
    run(guard, 3000, true, tone(-20));
    guard.realigned();
    expect(guard.warmingUp).toBe(true);
    // Adapted at once: open after the minimum 500 ms.
    expect(run(guard, 1000, true, tone(-20)).warmedAt).toBe(490);
    // Not adapted (the user talks, say): open after 1.5 s anyway.
    guard.realigned();
    inner.gain = 1;
    const notAdapted = run(guard, 2000, true, tone(-20));
    expect(notAdapted.warmedAt).toBe(1490);
    expect(notAdapted.silenced).toBe(149);
  });
});
