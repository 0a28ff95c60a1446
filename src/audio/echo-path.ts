/**
 * The audio child's echo path. Only the child sees both device streams in device order, so
 * echo cancellation lives here: every chunk written to the speakers (silence included) is
 * the far end, and every microphone chunk goes through the canceller before it leaves the
 * child. EchoAligner pairs the two by device time; EchoGuard keeps the microphone shut
 * while the speakers play until the canceller has adapted, and its faint residue silent.
 * Without a canceller (off, or the FFI library is missing) audio passes unchanged.
 */
import type { EchoCancellationStatus, OpenRequest } from './device-protocol.js';
import { EchoAligner } from './echo-aligner.js';
import { EchoCanceller } from './echo-canceller.js';
import { EchoGuard } from './echo-guard.js';

/** Speaker frames (10 ms) the aligner holds back for write jitter; part of the delay. */
const SLACK_FRAMES = 6;

export interface EchoPath {
  readonly status: EchoCancellationStatus;
  /** A chunk of s16 mono PCM about to be written to the speakers. */
  played(chunk: Buffer): void;
  /** A microphone chunk; it reaches `deliver` without the speakers' echo. */
  heard(pcm: Int16Array): void;
  close(): void;
}

export interface EchoPathHooks {
  /** Microphone audio on its way out of the child. */
  readonly deliver: (pcm: Int16Array) => void;
  /** Diagnostics: alignment moves, a canceller that fails mid-stream. */
  readonly log: (line: string) => void;
}

function passThrough(status: EchoCancellationStatus, hooks: EchoPathHooks): EchoPath {
  return {
    status,
    played: () => {},
    heard: (pcm) => hooks.deliver(pcm),
    close: () => {},
  };
}

export function openEchoPath(request: OpenRequest, hooks: EchoPathHooks): EchoPath {
  const wanted = request.echoCancellation;
  if (!wanted || !request.input || !request.output) return passThrough({ state: 'off' }, hooks);
  let canceller: EchoCanceller;
  try {
    canceller = new EchoCanceller({ sampleRate: request.sampleRate });
    canceller.setStreamDelay(wanted.streamDelayMs + SLACK_FRAMES * 10);
  } catch (error) {
    return passThrough({ state: 'unavailable', reason: oneLine(error) }, hooks);
  }
  const guard = new EchoGuard(canceller, { log: hooks.log });
  const aligner = new EchoAligner(guard, {
    deliver: rechunk(Math.round((request.sampleRate * request.chunkMs) / 1000), hooks.deliver),
    log: hooks.log,
    slackFrames: SLACK_FRAMES,
    onRealign: () => guard.realigned(),
  });
  let active = true;
  const guarded = (fn: () => void, fallback: () => void) => {
    if (!active) return fallback();
    try {
      fn();
    } catch (error) {
      // The canceller broke (it should not): say so once and carry on without it.
      hooks.log(`echo cancellation stopped: ${oneLine(error)}`);
      active = false;
      canceller.close();
      fallback();
    }
  };
  return {
    status: { state: 'on', streamDelayMs: canceller.streamDelayMs },
    played: (chunk) =>
      guarded(
        () => aligner.render(int16View(chunk)),
        () => {},
      ),
    heard: (pcm) =>
      guarded(
        () => aligner.capture(pcm),
        () => hooks.deliver(pcm),
      ),
    close() {
      active = false;
      canceller.close();
    },
  };
}

/**
 * The aligner hands out whole 10 ms frames, several at once after a stall; the microphone
 * keeps delivering the device's chunk size (what DeviceInput promises its readers).
 */
function rechunk(size: number, deliver: (pcm: Int16Array) => void): (pcm: Int16Array) => void {
  let carry = new Int16Array(0);
  return (pcm) => {
    let data = pcm;
    if (carry.length > 0) {
      data = new Int16Array(carry.length + pcm.length);
      data.set(carry);
      data.set(pcm, carry.length);
    }
    let at = 0;
    for (; at + size <= data.length; at += size) deliver(data.slice(at, at + size));
    carry = data.slice(at);
  };
}

/** The chunk's samples without a copy when it is aligned (pool slices may not be). */
function int16View(chunk: Buffer): Int16Array {
  const samples = chunk.length >> 1;
  if (chunk.byteOffset % 2 === 0) return new Int16Array(chunk.buffer, chunk.byteOffset, samples);
  const copy = new Int16Array(samples);
  Buffer.from(copy.buffer).set(chunk.subarray(0, samples * 2));
  return copy;
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim();
}
