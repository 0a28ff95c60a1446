/**
 * EchoAligner against a simulated audio child on a loaded machine: an output device that
 * consumes one 20 ms chunk per tick from a small buffer (and plays silence when it runs dry),
 * an input device that records one chunk per tick into a queue, and an event loop that
 * stalls now and then, after which it drains the microphone backlog and refills the
 * speakers in a burst, in either order. Time is the simulation's; nothing sleeps.
 */
import { describe, expect, it } from 'vitest';
import { EchoAligner, type FrameProcessor } from '../../src/audio/echo-aligner.js';
import { EchoCanceller } from '../../src/audio/echo-canceller.js';
import { speechPcm } from '../support/speech-pcm.js';

const RATE = 16000;
const FRAME = 160;
const CHUNK = 320;

interface Feed {
  render(chunk: Int16Array): void;
  capture(chunk: Int16Array): void;
}

interface DeviceOptions {
  readonly seconds: number;
  /** Chunks the output holds besides the one playing (naudiodon queue + host buffer). */
  readonly bufferChunks: number;
  /** [start, duration] in ms: the loop does nothing then. */
  readonly stalls: readonly (readonly [number, number])[];
  readonly captureFirst: boolean;
  /** What the speakers play next (a 20 ms chunk). */
  readonly next: (index: number) => Int16Array;
  /** What the microphone hears in the chunk that starts at `ms`, given what was played. */
  readonly mic: (played: Int16Array, ms: number) => Int16Array;
}

/** Runs the simulated child; returns what the speakers played, by device time. */
function runDevice(feed: Feed, setNow: (ms: number) => void, o: DeviceOptions): Int16Array {
  const played = new Int16Array((RATE * o.seconds) / 1 + RATE);
  const out: Int16Array[] = [];
  const inQueue: Int16Array[] = [];
  let written = 0;
  const stalled = (ms: number) =>
    o.stalls.some(([start, length]) => ms >= start && ms < start + length);
  for (let ms = 0; ms < o.seconds * 1000; ms += 20) {
    setNow(ms);
    played.set(out.shift() ?? new Int16Array(CHUNK), (ms / 1000) * RATE);
    inQueue.push(o.mic(played, ms));
    if (stalled(ms)) continue;
    const reads = () => {
      while (inQueue.length > 0) feed.capture(inQueue.shift()!);
    };
    const writes = () => {
      while (out.length <= o.bufferChunks) {
        const chunk = o.next(written++);
        feed.render(chunk);
        out.push(chunk);
      }
    };
    if (o.captureFirst) {
      reads();
      writes();
    } else {
      writes();
      reads();
    }
  }
  return played;
}

const STALLS = [
  [3000, 300],
  [6000, 150],
  [9000, 80],
] as const;

describe('EchoAligner pairing under stalls', () => {
  for (const captureFirst of [true, false]) {
    for (const bufferChunks of [1, 3]) {
      const order = captureFirst ? 'microphone first' : 'speakers first';
      it(`keeps each microphone frame with the speaker frame played with it (${order}, buffer ${bufferChunks})`, () => {
        // Speaker frames carry their number in sample 0 (0: silence); microphone frames carry
        // the device frame they were recorded at, so each pairing can be checked.
        let now = 0;
        let lastRender = 0;
        const pairs: [rendered: number, deviceFrame: number][] = [];
        const processor: FrameProcessor = {
          frameSamples: FRAME,
          processRender: (frame) => {
            lastRender = frame[0]!;
          },
          processCapture: (frame) => {
            pairs.push([lastRender, frame[0]!]);
            return frame;
          },
        };
        const aligner = new EchoAligner(processor, { deliver: () => {}, now: () => now });
        const played = runDevice(aligner, (ms) => (now = ms), {
          seconds: 12,
          bufferChunks,
          stalls: STALLS,
          captureFirst,
          next: (i) => {
            const chunk = new Int16Array(CHUNK);
            chunk[0] = 2 * i + 1;
            chunk[FRAME] = 2 * i + 2;
            return chunk;
          },
          mic: (_played, ms) => {
            const chunk = new Int16Array(CHUNK);
            chunk[0] = ms / 10;
            chunk[FRAME] = ms / 10 + 1;
            return chunk;
          },
        });
        const playingAt = (deviceFrame: number) => played[deviceFrame * FRAME]!;
        // The lag between what the canceller was given and what was playing must stay the
        // same (it is the echo delay the canceller learns); silence must pair with silence.
        const lags = pairs
          .filter(([r, d]) => r !== 0 && playingAt(d) !== 0)
          .map(([r, d]) => r - playingAt(d));
        const first = lags[0]!;
        const wrong =
          lags.filter((lag) => lag !== first).length +
          pairs.filter(([r, d]) => (r === 0) !== (playingAt(d) === 0)).length;
        expect(pairs.length).toBeGreaterThan(1000);
        // A few frames around each of the three stalls (measured: 0–36 in all), no more.
        expect(wrong).toBeLessThanOrEqual(15 * STALLS.length);
        expect(lags.at(-1)).toBe(first);
        expect(aligner.offset).not.toBeNull();
      });
    }
  }

  it('delivers nothing until a calm moment tells the offset, then everything in order', () => {
    let now = 0;
    const delivered: number[] = [];
    const processor: FrameProcessor = {
      frameSamples: FRAME,
      processRender: () => {},
      processCapture: (frame) => frame,
    };
    const aligner = new EchoAligner(processor, {
      deliver: (pcm) => {
        for (let i = 0; i < pcm.length; i += FRAME) delivered.push(pcm[i]!);
      },
      now: () => now,
    });
    const chunk = (first: number) =>
      Int16Array.from({ length: CHUNK }, (_, i) => (i === 0 ? first : i === FRAME ? first + 1 : 0));
    // A burst at one instant: no calm moment yet.
    for (let i = 0; i < 3; i++) {
      aligner.render(new Int16Array(CHUNK));
      aligner.capture(chunk(2 * i));
    }
    expect(aligner.offset).toBeNull();
    expect(delivered).toEqual([]);
    for (let i = 3; i < 12; i++) {
      now += 20;
      aligner.render(new Int16Array(CHUNK));
      aligner.capture(chunk(2 * i));
    }
    expect(aligner.offset).not.toBeNull();
    expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => i));
    expect(delivered.length).toBeGreaterThanOrEqual(16);
  });
});

describe('EchoAligner with the real canceller, speech echo, stalls and underruns', () => {
  it('keeps the echo cancelled (≥ 30 dB every second after the first) through stalls', async () => {
    const speech = await speechPcm(
      'Welcome to the gaming club. Our coaches run programs every weekday afternoon and on ' +
        'weekends, for children from six to eighteen, with board games and chess.',
      { sampleRate: RATE },
    );
    const delay = (RATE * 200) / 1000;
    const mic = (played: Int16Array, ms: number) => {
      const at = (ms / 1000) * RATE;
      return Int16Array.from({ length: CHUNK }, (_, i) =>
        at + i >= delay ? Math.round(played[at + i - delay]! * 0.5) : 0,
      );
    };
    const stalls: [number, number][] = [];
    for (let t = 1500; t < 14_000; t += 900 + ((t * 7) % 500))
      stalls.push([t, 60 + ((t * 13) % 300)]);
    for (const captureFirst of [true, false]) {
      let now = 0;
      const canceller = new EchoCanceller({ sampleRate: RATE });
      const heard: Int16Array[] = [];
      const recorded: Int16Array[] = [];
      const aligner = new EchoAligner(canceller, {
        deliver: (pcm) => heard.push(pcm),
        now: () => now,
      });
      runDevice(
        {
          render: (c) => aligner.render(c),
          capture: (c) => {
            recorded.push(c);
            aligner.capture(c);
          },
        },
        (ms) => (now = ms),
        {
          seconds: 15,
          bufferChunks: 1,
          stalls,
          captureFirst,
          next: (i) =>
            Int16Array.from({ length: CHUNK }, (_, k) => speech[(i * CHUNK + k) % speech.length]!),
          mic,
        },
      );
      canceller.close();
      const input = concat(recorded);
      const output = concat(heard);
      const perSecond: number[] = [];
      for (let s = RATE; s + RATE <= output.length; s += RATE) {
        perSecond.push(
          db(energy(input.subarray(s, s + RATE)) / energy(output.subarray(s, s + RATE))),
        );
      }
      console.info(
        `echo attenuation per second through ${stalls.length} stalls (${captureFirst ? 'microphone' : 'speakers'} first): ` +
          perSecond.map((v) => v.toFixed(0)).join(' '),
      );
      expect(Math.min(...perSecond)).toBeGreaterThanOrEqual(30);
    }
  }, 60_000);
});

function concat(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function energy(pcm: Int16Array): number {
  let sum = 1;
  for (const s of pcm) sum += s * s;
  return sum;
}

const db = (ratio: number) => 10 * Math.log10(ratio);
