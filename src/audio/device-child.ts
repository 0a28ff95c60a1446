/**
 * The audio child process. naudiodon prints from C to stdout and ALSA prints to stderr, so
 * devices are only ever touched here; the parent pipes both streams into a log callback
 * and talks to this process over IPC only (see device-protocol.ts).
 */
import type * as NaudiodonModule from 'naudiodon';
import type { AudioOptions, IoStreamRead, IoStreamWrite } from 'naudiodon';
import type {
  AudioDeviceInfo,
  ChildMessage,
  DeviceSelector,
  OpenRequest,
  ParentMessage,
} from './device-protocol.js';
import { isMessage } from './device-protocol.js';
import { type EchoPath, openEchoPath } from './echo-path.js';
import { PlaybackPump } from './playback-pump.js';

type Naudiodon = typeof NaudiodonModule;
type ReadStream = IoStreamRead;
type WriteStream = IoStreamWrite;

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

async function loadNaudiodon(): Promise<Naudiodon> {
  try {
    return await import('naudiodon');
  } catch (error) {
    throw new Error(`naudiodon failed to load: ${oneLine(error)}`);
  }
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
      if (!muted && pcm.length > 0) send({ t: 'input', pcm });
    },
    log: (line) => console.error(line),
  });
  echo = echoPath;
  const common: AudioOptions = {
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
    const stream = n.AudioIO({ outOptions: { ...common, deviceId: outDevice.id, maxQueue: 1 } });
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
      },
      { sampleRate: request.sampleRate, chunkSamples, lagChunks: request.lagChunks },
    );
  }
  if (inDevice) {
    // A deeper input queue absorbs event-loop hiccups instead of overflowing the callback.
    const stream = n.AudioIO({ inOptions: { ...common, deviceId: inDevice.id, maxQueue: 25 } });
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

async function main(): Promise<void> {
  // Without a parent there is nobody to talk to: leave at once.
  process.on('disconnect', () => void shutdown(0));
  process.on('uncaughtException', (error) => fail(`audio child crashed: ${oneLine(error)}`));
  let n: Naudiodon;
  try {
    n = await loadNaudiodon();
  } catch (error) {
    fail(oneLine(error));
    return;
  }
  process.on('message', (message: unknown) => {
    if (isMessage<ParentMessage>(message)) handle(n, message);
  });
  send({ t: 'loaded' });
}

void main();
