import {
  AudioChild,
  AudioDeviceError,
  type AudioLog,
  type ChildEntry,
  within,
} from './child-launch.js';
import { DeviceInput } from './device-input.js';
import { DeviceOutput } from './device-output.js';
import type { AudioDeviceInfo, DeviceSelector, EchoCancellationStatus } from './device-protocol.js';

export interface DeviceAudioOptions {
  /** PortAudio device id or name (exact, else case-insensitive substring); default device if unset. */
  readonly inputDevice?: DeviceSelector;
  readonly outputDevice?: DeviceSelector;
  /** Both directions, mono s16. Default 16000. */
  readonly sampleRate?: number;
  /** Device buffer size. Default 20 ms. */
  readonly chunkMs?: number;
  /** Audio written this long ago counts as heard (pipeline + device latency). Default 60. */
  readonly playoutLagMs?: number;
  /** captureFrame() applies backpressure above this much queued audio. Default 2000. */
  readonly maxBufferedMs?: number;
  /**
   * Remove what the speakers play from the microphone (WebRTC AEC3 in the audio child), so
   * an agent on laptop speakers does not hear itself. Default true. When LiveKit's FFI
   * library cannot load, the devices open without it (see `echoCancellation`, `notes`).
   */
  readonly echoCancellation?: boolean;
  /**
   * Starting estimate of the delay from a write to the speakers to its echo in the
   * microphone; AEC3 finds the actual delay itself. Default `playoutLagMs + 2 × chunkMs`.
   */
  readonly echoDelayMs?: number;
  /** Receives everything the child prints (naudiodon, ALSA) and our own diagnostics. */
  readonly log?: AudioLog;
  /**
   * Receives what the audio path has to say that a user may want to see (the echo canceller
   * adapted, its alignment moved). Default: `log`.
   */
  readonly note?: AudioLog;
  /** Extra environment for the child, e.g. PULSE_SERVER. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Bound on starting the child and opening the devices. Default 15000. */
  readonly startTimeoutMs?: number;
  /** The child's script: default naudiodon's (device-child); the benchmarks simulate a device. */
  readonly childEntry?: ChildEntry;
}

export interface DeviceAudio {
  readonly input: DeviceInput;
  readonly output: DeviceOutput;
  readonly inputDevice: AudioDeviceInfo;
  readonly outputDevice: AudioDeviceInfo;
  /** Whether the microphone is echo-cancelled, or why not. */
  readonly echoCancellation: EchoCancellationStatus;
  /** One-line things the user should know about these devices (e.g. no echo cancellation). */
  readonly notes: readonly string[];
  /** Process id of the audio child. */
  readonly pid: number | undefined;
  /** RMS (0..1) of the last microphone frame. */
  level(): number;
  onLevel(listener: (level: number) => void): () => void;
  setMuted(muted: boolean): void;
  readonly muted: boolean;
  /** Called once if the devices fail after opening (the child reported it or died). */
  onFailure(listener: (error: AudioDeviceError) => void): () => void;
  /** Releases the devices and ends the child (SIGKILL if it does not exit in time). */
  close(): Promise<void>;
}

/**
 * Opens microphone and speakers in a child process. Rejects with a one-line
 * AudioDeviceError when naudiodon cannot load or no usable device exists, so the caller
 * can fall back to text mode.
 */
export async function openDeviceAudio(options: DeviceAudioOptions = {}): Promise<DeviceAudio> {
  const sampleRate = options.sampleRate ?? 16000;
  const chunkMs = options.chunkMs ?? 20;
  const log = options.log ?? (() => {});
  const timeoutMs = options.startTimeoutMs ?? 15000;
  const playoutLagMs = options.playoutLagMs ?? 60;
  const echoDelayMs = options.echoDelayMs ?? playoutLagMs + 2 * chunkMs;
  const child = new AudioChild({
    log,
    env: options.env,
    ...(options.childEntry ? { entry: options.childEntry } : {}),
  });
  const note = options.note ?? log;
  child.onMessage((message) => {
    if (message.t === 'note') note(message.line);
  });
  try {
    await child.waitFor('loaded', timeoutMs, 'naudiodon loaded');
    child.send({
      t: 'open',
      request: {
        input: true,
        output: true,
        inputDevice: options.inputDevice,
        outputDevice: options.outputDevice,
        sampleRate,
        chunkMs,
        lagChunks: Math.round(playoutLagMs / chunkMs),
        ...(options.echoCancellation !== false
          ? { echoCancellation: { streamDelayMs: echoDelayMs } }
          : {}),
      },
    });
    const ready = await child.waitFor('ready', timeoutMs, 'devices opened');
    if (!ready.input || !ready.output) throw new AudioDeviceError('audio child opened no device');
    const { input, output, echoCancellation } = ready;
    return new OpenDeviceAudio(
      child,
      { input, output, echoCancellation },
      {
        sampleRate,
        maxBufferedMs: options.maxBufferedMs ?? 2000,
        log,
      },
    );
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

/** Lists PortAudio devices (in a child, so nothing is printed to the terminal). */
export async function listDevices(
  options: {
    log?: AudioLog;
    env?: Readonly<Record<string, string | undefined>>;
    timeoutMs?: number;
  } = {},
): Promise<AudioDeviceInfo[]> {
  const child = new AudioChild({ log: options.log, env: options.env });
  const timeoutMs = options.timeoutMs ?? 15000;
  try {
    await child.waitFor('loaded', timeoutMs, 'naudiodon loaded');
    child.send({ t: 'list' });
    const { devices } = await child.waitFor('devices', timeoutMs, 'device list');
    return [...devices];
  } finally {
    await stopChild(child);
  }
}

interface OpenedDevices {
  readonly input: AudioDeviceInfo;
  readonly output: AudioDeviceInfo;
  readonly echoCancellation: EchoCancellationStatus;
}

function echoNotes(status: EchoCancellationStatus): string[] {
  if (status.state !== 'unavailable') return [];
  return [`no echo cancellation (${status.reason}): use headphones, or the agent may hear itself`];
}

async function stopChild(child: AudioChild): Promise<void> {
  if (child.hasExited) return;
  child.send({ t: 'close' });
  // The child releases the devices within ~1 s; after that it is killed.
  if (await within(child.exited, 3000)) return;
  child.kill();
  await within(child.exited, 2000);
}

class OpenDeviceAudio implements DeviceAudio {
  readonly input: DeviceInput;
  readonly output: DeviceOutput;
  readonly inputDevice: AudioDeviceInfo;
  readonly outputDevice: AudioDeviceInfo;
  readonly echoCancellation: EchoCancellationStatus;
  readonly notes: readonly string[];
  readonly #child: AudioChild;
  readonly #log: AudioLog;
  readonly #failureListeners = new Set<(error: AudioDeviceError) => void>();
  #closing: Promise<void> | null = null;
  #muted = false;

  constructor(
    child: AudioChild,
    ready: OpenedDevices,
    options: { sampleRate: number; maxBufferedMs: number; log: AudioLog },
  ) {
    this.#child = child;
    this.#log = options.log;
    const { input: inputDevice, output: outputDevice } = ready;
    this.inputDevice = inputDevice;
    this.outputDevice = outputDevice;
    this.echoCancellation = ready.echoCancellation;
    this.notes = echoNotes(ready.echoCancellation);
    this.input = new DeviceInput(child, {
      label: `mic:${inputDevice.name}`,
      sampleRate: options.sampleRate,
    });
    this.output = new DeviceOutput(child, {
      label: `speaker:${outputDevice.name}`,
      sampleRate: options.sampleRate,
      maxBufferedMs: options.maxBufferedMs,
    });
    child.onMessage((message) => {
      if (message.t === 'error') this.#fail(new AudioDeviceError(message.message));
    });
    void child.exited.then((exit) => {
      if (this.#closing) return;
      const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
      this.#fail(new AudioDeviceError(`audio child exited unexpectedly (${how})`));
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get muted(): boolean {
    return this.#muted;
  }

  level(): number {
    return this.input.level();
  }

  onLevel(listener: (level: number) => void): () => void {
    return this.input.onLevel(listener);
  }

  setMuted(muted: boolean): void {
    this.#muted = muted;
    this.input.setMuted(muted);
    this.#child.send({ t: 'mute', muted });
  }

  onFailure(listener: (error: AudioDeviceError) => void): () => void {
    this.#failureListeners.add(listener);
    return () => this.#failureListeners.delete(listener);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.output.shutdown();
      this.input.end();
      await stopChild(this.#child);
    })();
    return this.#closing;
  }

  #fail(error: AudioDeviceError): void {
    if (this.#closing) return;
    this.#log(`audio device failure: ${error.message}`);
    const listeners = [...this.#failureListeners];
    this.#failureListeners.clear();
    void this.close();
    for (const listener of listeners) listener(error);
  }
}
