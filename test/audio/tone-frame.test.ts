import { describe, expect, it } from 'vitest';
import { toneFrame } from '../../src/index.js';

/** The tone as the sine formula gives it, sample by sample. */
function direct(n: number, rate: number, hz: number, amplitude: number, start: number): number[] {
  const w = (2 * Math.PI * hz) / rate;
  const samples = Int16Array.from({ length: n }, (_, i) =>
    Math.round(amplitude * Math.sin(w * (start + i))),
  );
  return [...samples];
}

describe('toneFrame', () => {
  it('gives the sine formula sample for sample, from any start', () => {
    for (const [hz, rate] of [
      [300, 16000],
      [700, 16000],
      [330, 24000],
      [440, 48000],
    ] as const) {
      for (const start of [0, 1, 159, 12_345]) {
        const frame = toneFrame(20, rate, hz, 8000, start);
        expect([...frame.data]).toEqual(direct(frame.data.length, rate, hz, 8000, start));
      }
    }
  });

  it('stays within one step of the formula far into a long tone', () => {
    const start = 10_000_000;
    const frame = toneFrame(100, 16000, 500, 8000, start);
    const expected = direct(frame.data.length, 16000, 500, 8000, start);
    const worst = Math.max(...[...frame.data].map((v, i) => Math.abs(v - expected[i]!)));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('continues seamlessly across frames', () => {
    const whole = toneFrame(100, 16000, 600, 8000, 0);
    const parts: number[] = [];
    let sample = 0;
    for (let i = 0; i < 5; i++) {
      const frame = toneFrame(20, 16000, 600, 8000, sample);
      sample += frame.samplesPerChannel;
      parts.push(...frame.data);
    }
    expect(parts).toEqual([...whole.data]);
  });

  it('computes tones with no short period directly', () => {
    const frame = toneFrame(10, 16000, 440.5, 1000, 7);
    expect([...frame.data]).toEqual(direct(frame.data.length, 16000, 440.5, 1000, 7));
  });

  it('hands out frames of their own: changing one leaves the next alone', () => {
    const first = toneFrame(20, 16000, 400);
    const copy = [...first.data];
    (first.data as Int16Array).fill(0);
    expect([...toneFrame(20, 16000, 400).data]).toEqual(copy);
  });
});
