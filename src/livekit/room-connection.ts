/** What `connectRoom()` takes and what it gives: the agent's connection to one room. */
import type { RoomEventMap, RoomEventName, RoomParticipant, RoomState } from './events.js';
import type { RoomAudioInput } from './input.js';
import type { RoomAudioOutput } from './output.js';
import type { RoomLog } from './rtc-log.js';
import type { TranscriptionPublisher, TranscriptionUpdate } from './transcription.js';

export interface ConnectRoomOptions {
  /** Server URL; falls back to LIVEKIT_URL. */
  url?: string;
  /** Fall back to LIVEKIT_API_KEY / LIVEKIT_API_SECRET (not needed with `token`). */
  apiKey?: string;
  apiSecret?: string;
  room: string;
  /** The agent's identity in the room. */
  identity: string;
  /** Display name (default: the identity). */
  name?: string;
  /** Listen to this participant only (default: the first one that publishes a microphone). */
  participant?: string;
  /**
   * Join with this access token (e.g. the one a LiveKit dispatch assigned to a job) instead
   * of minting one; then only the URL is needed. It must be for `room` and `identity`.
   */
  token?: string;
  log: RoomLog;
  /** Where settings are looked up when not given (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Bound on joining (default 5000 ms). */
  connectTimeoutMs?: number;
  /** How long a lost connection may try to come back before it is given up (default 15000 ms). */
  reconnectTimeoutMs?: number;
  /**
   * How often the peer connection's consent checks are read to tell whether the server still
   * answers (default 250 ms; 0 turns the check off). See liveness.ts.
   */
  livenessIntervalMs?: number;
  /** Sample rate of the agent's published audio (default 24000). */
  outputSampleRate?: number;
  /** Sample rate of `input` frames (default 16000). */
  inputSampleRate?: number;
  /** How long the first speech waits for someone to subscribe to it (default 3000 ms). */
  subscriptionWaitMs?: number;
}

export interface RoomConnection {
  readonly url: string;
  readonly room: string;
  readonly identity: string;
  /** The linked participant's microphone (16 kHz mono); follows re-links. */
  readonly input: RoomAudioInput;
  /** The agent's voice, published as a microphone track. */
  readonly output: RoomAudioOutput;
  readonly state: RoomState;
  /** Identity of the participant the agent listens to, if any. */
  readonly linkedParticipant: string | null;
  readonly participants: readonly RoomParticipant[];
  on<K extends RoomEventName>(name: K, fn: (event: RoomEventMap[K]) => void): () => void;
  /** Chat text from the room (`lk.chat`): push it to the session as a user turn. */
  onText(fn: (event: RoomEventMap['text']) => void): () => void;
  onState(fn: (event: RoomEventMap['state']) => void): () => void;
  onParticipantJoined(fn: (event: RoomEventMap['participantJoined']) => void): () => void;
  onParticipantLeft(fn: (event: RoomEventMap['participantLeft']) => void): () => void;
  /** Transcriptions for LiveKit front ends (user and agent), with segment bookkeeping. */
  readonly transcriptions: TranscriptionPublisher;
  publishTranscription(update: TranscriptionUpdate): Promise<void>;
  /** Leaves the room (bounded); idempotent. */
  close(): Promise<void>;
}
