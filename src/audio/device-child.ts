/**
 * The audio child process. naudiodon prints from C to stdout and ALSA prints to stderr, so
 * devices are only ever touched here; the parent pipes both streams into a log callback
 * and talks to this process over IPC only (see device-protocol.ts). naudiodon is an
 * optional peer dependency, imported only here: missing or unbuilt, the parent gets one
 * line saying so and how to add it, and `voxagent dev` runs in text mode. The benchmarks
 * run the same host on a simulated sound card (`runAudioHost`, bench/sim-device.ts).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  AudioDeviceInfo,
  ChildMessage,
  DeviceSelector,
  OpenRequest,
  ParentMessage,
} from './device-protocol.js';
import { isMessage } from './device-protocol.js';
import { type EchoPath, openEchoPath } from './echo-path.js';
import { importOptional } from './optional-package.js';
import { PlaybackPump } from './playback-pump.js';

/** Stream options, as naudiodon takes them. */
export interface BackendStreamOptions {
  readonly channelCount: number;
  readonly sampleFormat: 16;
  readonly sampleRate: number;
  readonly framesPerBuffer: number;
  readonly highwaterMark: number;
  readonly closeOnError: boolean;
  readonly deviceId: number;
  readonly maxQueue: number;
}

interface BackendStream {
  start(): void;
  /** Releases blocked reads/writes, then closes; `done` is called once closed. */
  quit(done: () => void): void;
}

export interface BackendWriteStream extends BackendStream {
  write(chunk: Buffer, done: (error?: Error | null) => void): boolean;
}

export interface BackendReadStream extends BackendStream {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

/** What the audio child needs of naudiodon (`loadNaudiodon` below adapts the real one). */
export interface AudioBackend {
  getHostAPIs(): {
    readonly defaultHostAPI: number;
    readonly HostAPIs: readonly { readonly defaultInput: number; readonly defaultOutput: number }[];
  };
  getDevices(): readonly {
    readonly id: number;
    readonly name: string;
    readonly maxInputChannels: number;
    readonly maxOutputChannels: number;
    readonly defaultSampleRate: number;
    readonly hostAPIName: string;
  }[];
  openOutput(options: BackendStreamOptions): BackendWriteStream;
  openInput(options: BackendStreamOptions): BackendReadStream;
}

type Naudiodon = AudioBackend;
type ReadStream = BackendReadStream;
type WriteStream = BackendWriteStream;

let input: ReadStream | null = null;
let output: WriteStream | null = null;
let pump: PlaybackPump | null = null;
let echo: EchoPath | null = null;
let muted = false;
let closing = false;

function send(message: ChildMessage): void {
  if (process.connected) process.send?.(message);
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim();
}

function describeDevices(n: Naudiodon): AudioDeviceInfo[] {
  const apis = n.getHostAPIs();
  const host = apis.HostAPIs[apis.defaultHostAPI];
  return n.getDevices().map((d) => ({
    id: d.id,
    name: d.name,
    maxInputChannels: d.maxInputChannels,
    maxOutputChannels: d.maxOutputChannels,
    defaultSampleRate: d.defaultSampleRate,
    hostApi: d.hostAPIName,
    isDefaultInput: host?.defaultInput === d.id,
    isDefaultOutput: host?.defaultOutput === d.id,
  }));
}

function selectDevice(
  devices: readonly AudioDeviceInfo[],
  selector: DeviceSelector | undefined,
  kind: 'input' | 'output',
): AudioDeviceInfo {
  const usable = devices.filter((d) =>
    kind === 'input' ? d.maxInputChannels > 0 : d.maxOutputChannels > 0,
  );
  if (usable.length === 0) {
    throw new Error(`no audio ${kind} device found (PortAudio lists ${devices.length} devices)`);
  }
  if (selector === undefined) {
    const isDefault = (d: AudioDeviceInfo) =>
      kind === 'input' ? d.isDefaultInput : d.isDefaultOutput;
    return usable.find(isDefault) ?? usable[0]!;
  }
  const wanted = String(selector).toLowerCase();
  const found =
    typeof selector === 'number'
      ? usable.find((d) => d.id === selector)
      : (usable.find((d) => d.name === selector) ??
        usable.find((d) => d.name.toLowerCase().includes(wanted)));
  if (!found) {
    const names = usable.map((d) => `${d.id}:${d.name}`).join(', ');
    throw new Error(`no audio ${kind} device matches "${selector}" (available: ${names})`);
  }
  return found;
}

function toInt16(buf: Buffer): Int16Array {
  const out = new Int16Array(buf.length >> 1);
  Buffer.from(out.buffer).set(buf.subarray(0, out.length * 2));
  return out;
}

function open(n: Naudiodon, request: OpenRequest): void {
  const devices = describeDevices(n);
  const outDevice = request.output ? selectDevice(devices, request.outputDevice, 'output') : null;
  const inDevice = request.input ? selectDevice(devices, request.inputDevice, 'input') : null;
  const chunkSamples = Math.round((request.sampleRate * request.chunkMs) / 1000);
  const echoPath = openEchoPath(request, {
    deliver: (pcm) => {
      // Muted, the parent gets silence, not nothing: its VAD must see open speech end.
      if (pcm.length > 0) send({ t: 'input', pcm: muted ? new Int16Array(pcm.length) : pcm });
    },
    log: (line) => send({ t: 'note', line }),
  });
  echo = echoPath;
  const common: Omit<BackendStreamOptions, 'deviceId' | 'maxQueue'> = {
    channelCount: 1,
    sampleFormat: 16,
    sampleRate: request.sampleRate,
    framesPerBuffer: chunkSamples,
    highwaterMark: chunkSamples * 2,
    // The first output callback always reports an underflow; with the default the stream
    // would close itself silently.
    closeOnError: false,
  };
  if (outDevice) {
    // maxQueue 1 keeps the pipeline (and what clear() cannot take back) short.
    const stream = n.openOutput({ ...common, deviceId: outDevice.id, maxQueue: 1 });
    output = stream;
    const write = (chunk: Buffer) =>
      new Promise<void>((resolve, reject) => {
        echoPath.played(chunk);
        stream.write(chunk, (error) => (error ? reject(error) : resolve()));
      });
    pump = new PlaybackPump(
      write,
      {
        started: (seg) => send({ t: 'started', seg }),
        progress: (seg, playedMs) => send({ t: 'progress', seg, playedMs }),
        finished: (seg, positionMs) => send({ t: 'finished', seg, positionMs }),
        consumed: (samples) => send({ t: 'consumed', samples }),
        underrun: (seg) => send({ t: 'underrun', seg }),
      },
      { sampleRate: request.sampleRate, chunkSamples, lagChunks: request.lagChunks },
    );
  }
  if (inDevice) {
    // A deeper input queue absorbs event-loop hiccups instead of overflowing the callback.
    const stream = n.openInput({ ...common, deviceId: inDevice.id, maxQueue: 25 });
    input = stream;
    stream.on('data', (buf: Buffer) => {
      // Through the canceller even while muted, so it stays adapted to the room.
      echoPath.heard(toInt16(buf));
    });
    stream.on('error', (error: unknown) => fail(`audio input failed: ${oneLine(error)}`));
    stream.on('end', () => fail('audio input ended'));
  }
  // Both streams open before either starts: the order checked on the virtual card.
  input?.start();
  output?.start();
  pump?.run().catch((error: unknown) => fail(`audio output failed: ${oneLine(error)}`));
  send({ t: 'ready', input: inDevice, output: outDevice, echoCancellation: echoPath.status });
}

function handle(n: Naudiodon, message: ParentMessage): void {
  switch (message.t) {
    case 'list':
      send({ t: 'devices', devices: describeDevices(n) });
      void shutdown(0);
      return;
    case 'open':
      try {
        open(n, message.request);
      } catch (error) {
        fail(oneLine(error));
      }
      return;
    case 'play':
      pump?.push(
        message.seg,
        Buffer.from(message.pcm.buffer, message.pcm.byteOffset, message.pcm.byteLength),
      );
      return;
    case 'flush':
      pump?.flush(message.seg);
      return;
    case 'clear':
      pump?.clear();
      return;
    case 'pause':
      pump?.pause();
      return;
    case 'resume':
      pump?.resume();
      return;
    case 'mute':
      muted = message.muted;
      return;
    case 'close':
      void shutdown(0);
      return;
  }
}

function fail(message: string): void {
  if (closing) return;
  send({ t: 'error', message, fatal: true });
  void shutdown(1);
}

function quitStream(stream: ReadStream | WriteStream | null): Promise<void> {
  // Not abort(): naudiodon 2.3.6 passes its callback to a native quit() that takes one
  // argument, so abort() throws. quit() releases the blocked reads/writes, then closes.
  return new Promise((resolve) => {
    if (stream) stream.quit(() => resolve());
    else resolve();
  });
}

/**
 * Releases the devices and exits. Bounded: if a stream does not quit in time, a native
 * read/write may still hold a libuv pool thread, and process.exit() would wait for it
 * forever, so the child kills itself instead.
 */
async function shutdown(code: number): Promise<void> {
  if (closing) return;
  closing = true;
  pump?.stop();
  pump?.clear();
  echo?.close();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), 1500);
  });
  const quit = Promise.all([quitStream(output), quitStream(input)]).then(
    () => true,
    () => false,
  );
  const clean = await Promise.race([quit, bound]);
  clearTimeout(timer);
  if (clean) process.exit(code);
  else process.kill(process.pid, 'SIGKILL');
}

/**
 * Runs this process as the audio child: loads the backend (a failure is reported to the
 * parent in one line and ends the process), then serves the parent's requests.
 */
export async function runAudioHost(loadBackend: () => Promise<AudioBackend>): Promise<void> {
  // Without a parent there is nobody to talk to: leave at once.
  process.on('disconnect', () => void shutdown(0));
  process.on('uncaughtException', (error) => fail(`audio child crashed: ${oneLine(error)}`));
  let n: Naudiodon;
  try {
    n = await loadBackend();
  } catch (error) {
    fail(oneLine(error));
    return;
  }
  process.on('message', (message: unknown) => {
    if (isMessage<ParentMessage>(message)) handle(n, message);
  });
  send({ t: 'loaded' });
}

async function loadNaudiodon(): Promise<AudioBackend> {
  const n = await importOptional('naudiodon', () => import('naudiodon'));
  return {
    getHostAPIs: () => n.getHostAPIs(),
    getDevices: () => n.getDevices(),
    openOutput: (options) => n.AudioIO({ outOptions: options }),
    openInput: (options) => n.AudioIO({ inOptions: options }),
  };
}

/** Run as the forked child (not when a benchmark imports runAudioHost from here). */
function isEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) void runAudioHost(loadNaudiodon);
