import { describe, expect, it } from 'vitest';
import { PlaybackPump } from '../../src/audio/playback-pump.js';

/** A pump on a fake device whose writes complete only when the test says so. */
function harness(lagChunks = 2) {
  const written: Buffer[] = [];
  const events: string[] = [];
  let consumed = 0;
  let release: (() => void) | null = null;
  // 10 samples per chunk at 1 kHz: 10 ms chunks.
  const pump = new PlaybackPump(
    (chunk) => {
      written.push(Buffer.from(chunk));
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    {
      started: (seg) => events.push(`started ${seg}`),
      progress: (seg, ms) => events.push(`progress ${seg} ${ms}`),
      finished: (seg, ms) => events.push(`finished ${seg} ${ms}`),
      consumed: (samples) => {
        consumed = samples;
      },
      underrun: (seg) => events.push(`underrun ${seg}`),
    },
    { sampleRate: 1000, chunkSamples: 10, lagChunks },
  );
  const running = pump.run();
  /** Completes `n` device writes, one at a time. */
  const tick = async (n = 1) => {
    for (let i = 0; i < n; i++) {
      const done = release;
      release = null;
      done?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const stop = async () => {
    pump.stop();
    await tick();
    await running;
  };
  return { pump, written, events, tick, stop, consumed: () => consumed };
}

const pcm = (samples: number, value = 1000) =>
  Buffer.from(new Int16Array(samples).fill(value).buffer);

describe('PlaybackPump', () => {
  it('reports a chunk as heard lagChunks writes after it, then finishes the segment', async () => {
    const h = harness(2);
    h.pump.push(1, pcm(30));
    h.pump.flush(1);
    await h.tick(3);
    expect(h.events).toEqual([]);
    await h.tick(1);
    expect(h.events).toEqual(['started 1', 'progress 1 10']);
    await h.tick(2);
    expect(h.events).toEqual([
      'started 1',
      'progress 1 10',
      'progress 1 20',
      'progress 1 30',
      'finished 1 30',
    ]);
    await h.stop();
  });

  it('keeps chunks aligned: a partial last chunk is padded, padding is not position', async () => {
    const h = harness(0);
    h.pump.push(1, pcm(15));
    h.pump.push(1, pcm(10));
    h.pump.flush(1);
    await h.tick(4);
    expect(h.written.every((chunk) => chunk.length === 20)).toBe(true);
    const last = new Int16Array(
      h.written[3]!.buffer.slice(h.written[3]!.byteOffset, h.written[3]!.byteOffset + 20),
    );
    expect([...last]).toEqual([1000, 1000, 1000, 1000, 1000, 0, 0, 0, 0, 0]);
    expect(h.events.at(-1)).toBe('finished 1 25');
    await h.stop();
  });

  it('writes silence while idle', async () => {
    const h = harness(1);
    await h.tick(3);
    expect(h.written.length).toBe(4);
    expect(h.written.every((chunk) => chunk.every((b) => b === 0))).toBe(true);
    expect(h.events).toEqual([]);
    await h.stop();
  });

  it('clear() drops queued audio at once and nothing more is reported for it', async () => {
    const h = harness(2);
    h.pump.push(1, pcm(100));
    h.pump.flush(1);
    await h.tick(4);
    expect(h.events).toEqual(['started 1', 'progress 1 10']);
    h.pump.clear();
    expect(h.consumed()).toBe(100);
    await h.tick(5);
    expect(h.events).toEqual(['started 1', 'progress 1 10']);
    // Only silence after the chunk that was being written when clear() came.
    expect(h.written.slice(-4).every((chunk) => chunk.every((b) => b === 0))).toBe(true);
    await h.stop();
  });

  it('pause() holds the position and writes silence; resume() continues', async () => {
    const h = harness(0);
    h.pump.push(1, pcm(40));
    h.pump.flush(1);
    await h.tick(2);
    expect(h.events.at(-1)).toBe('progress 1 10');
    h.pump.pause();
    await h.tick(3);
    expect(h.events.at(-1)).toBe('progress 1 20');
    h.pump.resume();
    await h.tick(3);
    expect(h.events.slice(-2)).toEqual(['progress 1 40', 'finished 1 40']);
    await h.stop();
  });

  it('finishes segments in flush order, an empty one included', async () => {
    const h = harness(2);
    h.pump.push(1, pcm(20));
    h.pump.flush(1);
    h.pump.flush(2);
    h.pump.push(3, pcm(10));
    h.pump.flush(3);
    await h.tick(8);
    const finishes = h.events.filter((e) => e.startsWith('finished'));
    expect(finishes).toEqual(['finished 1 20', 'finished 2 0', 'finished 3 10']);
    await h.stop();
  });

  it('reports consumed samples for backpressure', async () => {
    const h = harness(2);
    h.pump.push(1, pcm(35));
    await h.tick(3);
    expect(h.consumed()).toBe(30);
    h.pump.flush(1);
    await h.tick(1);
    expect(h.consumed()).toBe(35);
    await h.stop();
  });

  it('reports an underrun for each silent chunk inside a started segment, none between segments', async () => {
    const h = harness(0);
    h.pump.push(1, pcm(20));
    await h.tick(2);
    // Segment 1 started and is not flushed: its next audio is late.
    await h.tick(2);
    h.pump.push(1, pcm(10));
    h.pump.flush(1);
    await h.tick(3);
    const underruns = h.events.filter((e) => e.startsWith('underrun'));
    expect(underruns).toEqual(['underrun 1', 'underrun 1']);
    // After the flush the stream is idle: silence, no underrun; clear() ends a segment too.
    h.pump.push(2, pcm(10));
    await h.tick(2);
    h.pump.clear();
    await h.tick(2);
    expect(h.events.filter((e) => e.startsWith('underrun'))).toEqual([
      'underrun 1',
      'underrun 1',
      'underrun 2',
    ]);
    await h.stop();
  });
});
