/**
 * Messages between the parent (`device-audio.ts`) and the audio child (`device-child.ts`).
 * Sent with `serialization: 'advanced'`, so PCM travels as an Int16Array without JSON.
 */

/** A PortAudio device as the child reports it (a subset of naudiodon's DeviceInfo). */
export interface AudioDeviceInfo {
  readonly id: number;
  readonly name: string;
  readonly maxInputChannels: number;
  readonly maxOutputChannels: number;
  readonly defaultSampleRate: number;
  readonly hostApi: string;
  readonly isDefaultInput: boolean;
  readonly isDefaultOutput: boolean;
}

/** Which device to open: a PortAudio id, or a name (exact first, then case-insensitive part). */
export type DeviceSelector = number | string;

export interface OpenRequest {
  readonly input: boolean;
  readonly output: boolean;
  readonly inputDevice?: DeviceSelector;
  readonly outputDevice?: DeviceSelector;
  readonly sampleRate: number;
  readonly chunkMs: number;
  /** Chunks written ahead of what is considered heard (see PlaybackPump). */
  readonly lagChunks: number;
  /** Cancel the speakers' echo in the microphone (see echo-path.ts); absent: off. */
  readonly echoCancellation?: EchoRequest;
}

export interface EchoRequest {
  /** Starting estimate of the delay from a write to the speakers to its echo in the microphone. */
  readonly streamDelayMs: number;
}

/** Whether the child cancels echo, as it reports in `ready`. */
export type EchoCancellationStatus =
  | { readonly state: 'on'; readonly streamDelayMs: number }
  | { readonly state: 'off' }
  | { readonly state: 'unavailable'; readonly reason: string };

export type ParentMessage =
  | { readonly t: 'list' }
  | { readonly t: 'open'; readonly request: OpenRequest }
  | { readonly t: 'play'; readonly seg: number; readonly pcm: Int16Array }
  | { readonly t: 'flush'; readonly seg: number }
  | { readonly t: 'clear' }
  | { readonly t: 'pause' }
  | { readonly t: 'resume' }
  | { readonly t: 'mute'; readonly muted: boolean }
  | { readonly t: 'close' };

export type ChildMessage =
  /** naudiodon loaded and the child listens: the parent may now send `open` or `list`. */
  | { readonly t: 'loaded' }
  | { readonly t: 'devices'; readonly devices: readonly AudioDeviceInfo[] }
  | {
      readonly t: 'ready';
      readonly input: AudioDeviceInfo | null;
      readonly output: AudioDeviceInfo | null;
      readonly echoCancellation: EchoCancellationStatus;
    }
  /** `fatal`: the child is going away (open failed, or a device stream died). */
  | { readonly t: 'error'; readonly message: string; readonly fatal: boolean }
  | { readonly t: 'input'; readonly pcm: Int16Array }
  | { readonly t: 'started'; readonly seg: number }
  | { readonly t: 'progress'; readonly seg: number; readonly playedMs: number }
  | { readonly t: 'finished'; readonly seg: number; readonly positionMs: number }
  /** Samples received so far that left the child's queue (played or dropped): backpressure. */
  | { readonly t: 'consumed'; readonly samples: number }
  /** A chunk of silence was played inside segment `seg`: its audio came too late (a gap). */
  | { readonly t: 'underrun'; readonly seg: number }
  /** A line worth the log at info level: the echo canceller adapted, its alignment moved. */
  | { readonly t: 'note'; readonly line: string };

/** The parent's end of the IPC channel (AudioChild; a fake in unit tests). */
export interface ChildLink {
  send(message: ParentMessage): void;
  onMessage(listener: (message: ChildMessage) => void): () => void;
}

export function isMessage<T extends { t: string }>(value: unknown): value is T {
  return (
    typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string'
  );
}
