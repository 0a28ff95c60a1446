/**
 * A simulated sound card for B8: the audio child's real device host (src/audio/device-child.ts,
 * the PlaybackPump and the IPC of `voxagent dev`) runs on this backend instead of naudiodon,
 * so B8 measures the real output path on any machine, with no sound card.
 *
 * The speaker plays one 20 ms chunk per slot of its own clock and, besides the one playing,
 * holds CAPACITY chunks not yet started (naudiodon's queue of one and PortAudio's buffer);
 * a write returns once there is room, as naudiodon's does, so the pump writes each chunk
 * 20–40 ms before its slot. A chunk is late by how long after its slot began
 * it arrived (0 when it was there in time). The microphone sends a chunk of low noise every
 * 20 ms. When the speaker quits it writes its record (JSON) to $B8_DEVICE_STATS.
 */
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import type {
  AudioBackend,
  BackendReadStream,
  BackendStreamOptions,
  BackendWriteStream,
} from '../src/audio/device-child.js';

const CAPACITY = 2;

/** Wall-clock ms shared by processes (for the measuring window of the parent). */
export const wallNow = () => performance.timeOrigin + performance.now();

export interface SpeakerRecord {
  /** Wall-clock start of each chunk's slot. */
  readonly due: number[];
  /** How late each chunk arrived, ms (≥ 0). */
  readonly late: number[];
  /** Whether each chunk carried sound (speech) rather than the pump's silence. */
  readonly sound: boolean[];
}

/** Drift-free ticks every `ms` from `first` (wall clock), on this process's event loop. */
function every(ms: number, first: number, fn: (k: number) => void): () => void {
  let k = 0;
  let timer: NodeJS.Timeout;
  const step = () => {
    fn(k++);
    timer = setTimeout(step, Math.max(0, first + k * ms - wallNow()));
  };
  timer = setTimeout(step, Math.max(0, first - wallNow()));
  return () => clearTimeout(timer);
}

class SimSpeaker implements BackendWriteStream {
  readonly #slotMs: number;
  readonly #record: SpeakerRecord = { due: [], late: [], sound: [] };
  #firstSlot = 0;
  #written = 0;
  #played = 0;
  #waiting: (() => void) | null = null;
  #stop = () => {};

  constructor(options: BackendStreamOptions) {
    this.#slotMs = (options.framesPerBuffer / options.sampleRate) * 1000;
  }

  start(): void {
    this.#firstSlot = wallNow() + this.#slotMs;
    this.#stop = every(this.#slotMs, this.#firstSlot, (k) => {
      this.#played = k + 1;
      if (this.#waiting && this.#written - this.#played < CAPACITY) {
        const done = this.#waiting;
        this.#waiting = null;
        done();
      }
    });
  }

  write(chunk: Buffer, done: (error?: Error | null) => void): boolean {
    const k = this.#written++;
    const due = this.#firstSlot + k * this.#slotMs;
    this.#record.due.push(due);
    this.#record.late.push(Math.max(0, wallNow() - due));
    this.#record.sound.push(chunk.some((byte) => byte !== 0));
    if (this.#written - this.#played < CAPACITY) setImmediate(() => done());
    else this.#waiting = () => done();
    return true;
  }

  quit(done: () => void): void {
    this.#stop();
    const file = process.env.B8_DEVICE_STATS;
    if (file) writeFileSync(file, JSON.stringify(this.#record));
    this.#waiting?.();
    done();
  }
}

class SimMicrophone extends EventEmitter implements BackendReadStream {
  readonly #samples: number;
  readonly #slotMs: number;
  #stop = () => {};

  constructor(options: BackendStreamOptions) {
    super();
    this.#samples = options.framesPerBuffer;
    this.#slotMs = (options.framesPerBuffer / options.sampleRate) * 1000;
  }

  start(): void {
    let seed = 1;
    this.#stop = every(this.#slotMs, wallNow() + this.#slotMs, () => {
      const pcm = new Int16Array(this.#samples);
      for (let i = 0; i < pcm.length; i++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        pcm[i] = Math.round((seed / 2147483648 - 0.5) * 600); // about -40 dBFS
      }
      this.emit('data', Buffer.from(pcm.buffer));
    });
  }

  quit(done: () => void): void {
    this.#stop();
    done();
  }
}

export const simulatedBackend: AudioBackend = {
  getHostAPIs: () => ({ defaultHostAPI: 0, HostAPIs: [{ defaultInput: 0, defaultOutput: 1 }] }),
  getDevices: () => [
    {
      id: 0,
      name: 'simulated microphone',
      maxInputChannels: 1,
      maxOutputChannels: 0,
      defaultSampleRate: 16000,
      hostAPIName: 'simulated',
    },
    {
      id: 1,
      name: 'simulated speaker',
      maxInputChannels: 0,
      maxOutputChannels: 1,
      defaultSampleRate: 16000,
      hostAPIName: 'simulated',
    },
  ],
  openOutput: (options) => new SimSpeaker(options),
  openInput: (options) => new SimMicrophone(options),
};
