import { describe, expect, it } from 'vitest';
import { DeviceInput } from '../../src/audio/device-input.js';
import { DeviceOutput } from '../../src/audio/device-output.js';
import type { ChildLink, ChildMessage, ParentMessage } from '../../src/audio/device-protocol.js';
import { createFrame, toneFrame } from '../../src/runtime/audio/frame.js';
import type { PlaybackEvent } from '../../src/runtime/io/audio-output.js';

/** The parent's side of the IPC channel, with the child played by the test. */
function fakeLink() {
  const sent: ParentMessage[] = [];
  const listeners = new Set<(message: ChildMessage) => void>();
  const link: ChildLink = {
    send: (message) => sent.push(message),
    onMessage: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const child = (message: ChildMessage) => {
    for (const listener of listeners) listener(message);
  };
  return { link, sent, child };
}

function output(maxBufferedMs = 1000) {
  const { link, sent, child } = fakeLink();
  const out = new DeviceOutput(link, { label: 'test', sampleRate: 16000, maxBufferedMs });
  const events: PlaybackEvent[] = [];
  out.onPlayback((event) => events.push(event));
  return { out, sent, child, events };
}

describe('DeviceOutput', () => {
  it('sends frames as mono 16 kHz PCM, whatever their format', () => {
    const { out, sent } = output();
    const stereo = createFrame(new Int16Array([100, 300, 100, 300]), 16000, 2);
    out.captureFrame(stereo);
    out.captureFrame(toneFrame(20, 32000));
    const plays = sent.filter((m) => m.t === 'play');
    expect(plays.map((m) => m.pcm.length)).toEqual([2, 320]);
    expect([...plays[0]!.pcm]).toEqual([200, 200]);
  });

  it('reports started and finished as the child reports them', () => {
    const { out, sent, child, events } = output();
    out.captureFrame(toneFrame(100, 16000));
    out.flush();
    expect(sent.map((m) => m.t)).toEqual(['play', 'flush']);
    expect(events).toEqual([]);
    child({ t: 'started', seg: 1 });
    child({ t: 'progress', seg: 1, playedMs: 100 });
    child({ t: 'finished', seg: 1, positionMs: 100 });
    expect(events).toEqual([
      { type: 'started' },
      { type: 'finished', positionMs: 100, interrupted: false },
    ]);
  });

  it('counts the underruns the child reports (gaps inside a speech)', () => {
    const { out, child } = output();
    expect(out.underruns).toBe(0);
    child({ t: 'underrun', seg: 1 });
    child({ t: 'underrun', seg: 1 });
    expect(out.underruns).toBe(2);
  });

  it('clear() reports finished{interrupted} synchronously, at the last known position', () => {
    const { out, sent, child, events } = output();
    out.captureFrame(toneFrame(1000, 16000));
    child({ t: 'started', seg: 1 });
    child({ t: 'progress', seg: 1, playedMs: 340 });
    out.clear();
    expect(sent.at(-1)).toEqual({ t: 'clear' });
    expect(events.at(-1)).toEqual({ type: 'finished', positionMs: 340, interrupted: true });
    // Late messages about the cleared segment change nothing; a second clear reports nothing.
    child({ t: 'finished', seg: 1, positionMs: 360 });
    out.clear();
    expect(events).toHaveLength(2);
  });

  it('clear() also ends a flushed segment that is still playing, in order', () => {
    const { out, child, events } = output();
    out.captureFrame(toneFrame(100, 16000));
    out.flush();
    out.captureFrame(toneFrame(100, 16000));
    child({ t: 'progress', seg: 1, playedMs: 60 });
    out.clear();
    expect(events).toEqual([
      { type: 'finished', positionMs: 60, interrupted: true },
      { type: 'finished', positionMs: 0, interrupted: true },
    ]);
  });

  it('an empty flushed segment still finishes (when the child says so)', () => {
    const { out, sent, child, events } = output();
    out.flush();
    expect(sent).toEqual([{ t: 'flush', seg: 1 }]);
    child({ t: 'finished', seg: 1, positionMs: 0 });
    expect(events).toEqual([{ type: 'finished', positionMs: 0, interrupted: false }]);
  });

  it('applies backpressure above maxBufferedMs and releases it as the child consumes', async () => {
    const { out, child } = output(100);
    expect(out.captureFrame(toneFrame(100, 16000))).toBeUndefined();
    const waiting = out.captureFrame(toneFrame(20, 16000));
    expect(waiting).toBeInstanceOf(Promise);
    let released = false;
    void (waiting as Promise<void>).then(() => {
      released = true;
    });
    child({ t: 'consumed', samples: 160 });
    await Promise.resolve();
    expect(released).toBe(false);
    child({ t: 'consumed', samples: 320 });
    await Promise.resolve();
    expect(released).toBe(true);
    expect(out.bufferedMs).toBe(100);
  });

  it('clear() releases a blocked captureFrame at once', async () => {
    const { out } = output(100);
    out.captureFrame(toneFrame(100, 16000));
    const waiting = out.captureFrame(toneFrame(100, 16000));
    out.clear();
    await expect(waiting).resolves.toBeUndefined();
    expect(out.bufferedMs).toBe(0);
  });

  it('shutdown() interrupts what is pending and ignores later frames', () => {
    const { out, sent, events } = output();
    out.captureFrame(toneFrame(100, 16000));
    out.shutdown();
    out.captureFrame(toneFrame(100, 16000));
    out.flush();
    expect(events).toEqual([{ type: 'finished', positionMs: 0, interrupted: true }]);
    expect(sent.map((m) => m.t)).toEqual(['play']);
  });
});

describe('DeviceInput', () => {
  it('gives every reader the microphone frames and tracks the level', async () => {
    const { link, child } = fakeLink();
    const input = new DeviceInput(link, { label: 'mic', sampleRate: 16000 });
    const levels: number[] = [];
    input.onLevel((level) => levels.push(level));
    const abort = new AbortController();
    const a = input.frames(abort.signal)[Symbol.asyncIterator]();
    const b = input.frames(abort.signal)[Symbol.asyncIterator]();
    const nextA = a.next();
    const nextB = b.next();
    await Promise.resolve();
    child({ t: 'input', pcm: toneFrame(20, 16000, 440, 16384).data });
    expect((await nextA).value?.samplesPerChannel).toBe(320);
    expect((await nextB).value?.samplesPerChannel).toBe(320);
    expect(input.level()).toBeGreaterThan(0.3);
    expect(levels).toHaveLength(1);
    abort.abort();
    expect((await a.next()).done).toBe(true);
  });

  it('hears silence while muted (frames keep coming, all zero) and reports level 0', async () => {
    const { link, child } = fakeLink();
    const input = new DeviceInput(link, { label: 'mic', sampleRate: 16000 });
    const abort = new AbortController();
    const reader = input.frames(abort.signal)[Symbol.asyncIterator]();
    const first = reader.next();
    await Promise.resolve();
    input.setMuted(true);
    child({ t: 'input', pcm: toneFrame(20, 16000).data });
    expect(input.level()).toBe(0);
    const muted = (await first).value;
    expect(muted?.data.length).toBe(320);
    expect(muted?.data.every((s: number) => s === 0)).toBe(true);
    input.setMuted(false);
    const second = reader.next();
    child({ t: 'input', pcm: new Int16Array(320).fill(7) });
    expect((await second).value?.data[0]).toBe(7);
    abort.abort();
  });

  it('ends every reader when the device goes away', async () => {
    const { link } = fakeLink();
    const input = new DeviceInput(link, { label: 'mic', sampleRate: 16000 });
    const reader = input.frames(new AbortController().signal)[Symbol.asyncIterator]();
    const next = reader.next();
    input.end();
    expect((await next).done).toBe(true);
    const late = input.frames(new AbortController().signal)[Symbol.asyncIterator]();
    expect((await late.next()).done).toBe(true);
  });
});
