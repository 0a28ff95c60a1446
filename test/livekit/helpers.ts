/** Shared setup of the LiveKit tests: a double, a connection, collected logs, bounded waits. */

import {
  type ConnectRoomOptions,
  connectRoom,
  type RoomConnection,
} from '../../src/livekit/index.js';
import type { LogLevel } from '../../src/livekit/rtc-log.js';
import type { AudioInput } from '../../src/runtime/io/audio-input.js';
import { type DoubleOptions, LiveKitDouble } from './double/server.js';

export const ROOM = 'test-room';

export interface Logged {
  level: LogLevel;
  message: string;
}

export interface Harness {
  double: LiveKitDouble;
  logs: Logged[];
  connect(extra?: Partial<ConnectRoomOptions>): Promise<RoomConnection>;
  cleanup(): Promise<void>;
}

export async function harness(opts: DoubleOptions = {}): Promise<Harness> {
  const double = await LiveKitDouble.start({ rooms: [ROOM], ...opts });
  const logs: Logged[] = [];
  const conns: RoomConnection[] = [];
  return {
    double,
    logs,
    async connect(extra = {}) {
      const c = await connectRoom({
        url: double.url,
        apiKey: double.apiKey,
        apiSecret: double.apiSecret,
        room: ROOM,
        identity: 'voxagent',
        env: {},
        log: (level, message) => logs.push({ level, message }),
        ...extra,
      });
      conns.push(c);
      return c;
    },
    async cleanup() {
      for (const c of conns) await c.close();
      await double.stop();
    },
  };
}

/** Resolves with the first value `check` returns that is not undefined/null/false. */
export function eventually<T>(
  check: () => T | undefined | null | false,
  what: string,
  ms = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      let v: T | undefined | null | false;
      try {
        v = check();
      } catch (err) {
        reject(err);
        return;
      }
      if (v !== undefined && v !== null && v !== false) resolve(v);
      else if (Date.now() - started > ms) reject(new Error(`timed out after ${ms} ms: ${what}`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

/** Reads frames from an input until `enough` says stop (or the bound passes). */
export async function readInput(
  input: AudioInput,
  enough: (frames: Int16Array[]) => boolean,
  ms = 10_000,
): Promise<Int16Array[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error('readInput timed out')), ms);
  const frames: Int16Array[] = [];
  try {
    for await (const f of input.frames(ac.signal)) {
      frames.push(f.data);
      if (enough(frames)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return frames;
}

export function rmsOf(frames: Int16Array[]): number {
  let sum = 0;
  let n = 0;
  for (const f of frames) {
    for (const s of f) sum += s * s;
    n += f.length;
  }
  return n === 0 ? 0 : Math.sqrt(sum / n) / 32768;
}
