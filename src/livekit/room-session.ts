/**
 * `connectRoom()`: the agent joins a LiveKit room with `@livekit/rtc-node`. The connection
 * gives the session its `input` (the linked participant's microphone) and `output` (the
 * agent's published track), room chat as `text` events, transcription publishing, and the
 * room's life as typed events. Every wait here is bounded: connecting, publishing,
 * reconnecting, closing.
 */
import {
  AudioSource,
  DisconnectReason,
  LocalAudioTrack,
  type LocalTrackPublication,
  Room,
  RoomEvent,
  TrackPublishOptions,
  TrackSource,
} from '@livekit/rtc-node';
import { errorMessage } from '../runtime/core/errors.js';
import { classifyConnectError, lostConnectionError, RoomConnectError } from './errors.js';
import {
  type RoomEventMap,
  type RoomEventName,
  RoomEvents,
  type RoomParticipant,
  type RoomState,
} from './events.js';
import { RoomAudioInput } from './input.js';
import { ParticipantLink } from './linker.js';
import { consentCounts, type Liveness, watchLiveness } from './liveness.js';
import { RoomAudioOutput } from './output.js';
import type { ConnectRoomOptions, RoomConnection } from './room-connection.js';
import { addRtcLogSink, captureRtcLogs, type RoomLog } from './rtc-log.js';
import { redact, requireName, resolveRoomSettings, resolveRoomUrl } from './settings.js';
import { mintAgentToken } from './token.js';
import { TOPIC_CHAT, TranscriptionPublisher, type TranscriptionUpdate } from './transcription.js';
import { settleWithin, TimeoutError } from './within.js';

export async function connectRoom(opts: ConnectRoomOptions): Promise<RoomConnection> {
  const room = requireName('room', opts.room);
  const identity = requireName('identity', opts.identity);
  const { url, token, secrets } = await credentials(opts, room, identity);
  if (!captureRtcLogs()) {
    opts.log(
      'warn',
      'livekit: could not redirect rtc-node logging; it may print JSON lines to stdout',
    );
  }
  const log: RoomLog = (level, message) => opts.log(level, redact(message, secrets));
  const session = new RoomSession({ ...opts, url, room, identity, log });
  await session.join(token, opts.connectTimeoutMs ?? 5000);
  return session;
}

/** The URL and token to join with, and the secrets no message may show. */
async function credentials(
  opts: ConnectRoomOptions,
  room: string,
  identity: string,
): Promise<{ url: string; token: string; secrets: string[] }> {
  if (opts.token) {
    return { url: resolveRoomUrl(opts, opts.env), token: opts.token, secrets: [opts.token] };
  }
  const settings = resolveRoomSettings(opts, opts.env);
  const token = await mintAgentToken({
    apiKey: settings.apiKey,
    apiSecret: settings.apiSecret,
    room,
    identity,
    name: opts.name,
  });
  return { url: settings.url, token, secrets: [token, settings.apiSecret] };
}

type SessionInit = ConnectRoomOptions & { url: string; log: RoomLog };

class RoomSession implements RoomConnection {
  readonly url: string;
  readonly room: string;
  readonly identity: string;
  readonly input: RoomAudioInput;
  readonly output: RoomAudioOutput;
  readonly transcriptions: TranscriptionPublisher;
  readonly #rtc = new Room();
  readonly #source: AudioSource;
  readonly #events: RoomEvents;
  readonly #link: ParticipantLink;
  readonly #log: RoomLog;
  readonly #opts: SessionInit;
  readonly #stopLogs: () => void;
  #state: RoomState = 'disconnected';
  #publication: LocalTrackPublication | null = null;
  #subscribed: () => void = () => undefined;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #stopLiveness: () => void = () => undefined;
  /** The reconnecting state is ours (the server went silent), not rtc-node's. */
  #silent = false;
  /** Host time the connection was lost, while it is. */
  #reconnectingSince: number | null = null;
  #closing: Promise<void> | null = null;

  constructor(opts: SessionInit) {
    this.#opts = opts;
    this.url = opts.url;
    this.room = opts.room;
    this.identity = opts.identity;
    this.#log = opts.log;
    this.#stopLogs = addRtcLogSink(opts.log);
    this.#events = new RoomEvents((err) =>
      this.#log('error', `livekit: listener threw: ${errorMessage(err)}`),
    );
    this.input = new RoomAudioInput(`livekit:${opts.room}`, opts.inputSampleRate ?? 16_000);
    this.#link = new ParticipantLink(this.#rtc, this.input, this.#events, opts.participant ?? null);
    this.#source = new AudioSource(opts.outputSampleRate ?? 24_000, 1);
    const subscribed = new Promise<void>((resolve) => {
      this.#subscribed = resolve;
    });
    this.output = new RoomAudioOutput({
      source: this.#source,
      label: `livekit:${opts.identity}`,
      ready: () =>
        settleWithin(subscribed, opts.subscriptionWaitMs ?? 3000).catch(() => {
          this.#log('info', 'livekit: nobody subscribed to the agent yet; speaking anyway');
        }),
      log: this.#log,
    });
    this.transcriptions = new TranscriptionPublisher({
      localParticipant: () => this.#rtc.localParticipant ?? null,
      speaker: (role) =>
        role === 'agent'
          ? { identity: this.identity, trackSid: this.#publication?.sid ?? null }
          : this.#link.identity
            ? { identity: this.#link.identity, trackSid: this.#link.trackSid }
            : null,
      log: this.#log,
    });
    this.#wire();
  }

  get state(): RoomState {
    return this.#state;
  }

  get linkedParticipant(): string | null {
    return this.#link.identity;
  }

  get participants(): readonly RoomParticipant[] {
    return [...this.#rtc.remoteParticipants.values()].map((p) => ({
      identity: p.identity,
      name: p.name ?? '',
    }));
  }

  on<K extends RoomEventName>(name: K, fn: (event: RoomEventMap[K]) => void): () => void {
    return this.#events.on(name, fn);
  }
  onText(fn: (event: RoomEventMap['text']) => void): () => void {
    return this.on('text', fn);
  }
  onState(fn: (event: RoomEventMap['state']) => void): () => void {
    return this.on('state', fn);
  }
  onParticipantJoined(fn: (event: RoomEventMap['participantJoined']) => void): () => void {
    return this.on('participantJoined', fn);
  }
  onParticipantLeft(fn: (event: RoomEventMap['participantLeft']) => void): () => void {
    return this.on('participantLeft', fn);
  }

  publishTranscription(update: TranscriptionUpdate): Promise<void> {
    return this.transcriptions.publish(update);
  }

  async join(token: string, timeoutMs: number): Promise<void> {
    const ctx = { url: this.url, room: this.room };
    const connecting = this.#rtc.connect(this.url, token, { autoSubscribe: true, dynacast: false });
    try {
      await settleWithin(connecting, timeoutMs);
    } catch (err) {
      // A connect still running after the bound must not leave a room behind.
      connecting.then(() => this.#rtc.disconnect()).catch(() => undefined);
      await this.#teardown();
      if (err instanceof TimeoutError) {
        throw new RoomConnectError(
          'timeout',
          `no LiveKit server answered at ${this.url} within ${timeoutMs / 1000} s: check --url / LIVEKIT_URL`,
        );
      }
      const e = classifyConnectError(errorMessage(err), ctx);
      this.#log('debug', `livekit: connect failed: ${errorMessage(err)}`);
      throw e;
    }
    this.#state = 'connected';
    try {
      const track = LocalAudioTrack.createAudioTrack('agent-voice', this.#source);
      const options = new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE });
      const local = this.#rtc.localParticipant;
      if (!local) throw new Error('no local participant after connect');
      this.#publication = await settleWithin(local.publishTrack(track, options), timeoutMs);
      void this.#publication.waitForSubscription().then(this.#subscribed, () => undefined);
    } catch (err) {
      await this.close();
      throw new RoomConnectError(
        'failed',
        `joined room "${this.room}" at ${this.url} but could not publish the agent's audio: ${errorMessage(err)}`,
      );
    }
    this.#link.scan();
    this.#log('info', `livekit: joined room "${this.room}" at ${this.url} as ${this.identity}`);
    this.#watchLiveness();
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown('closed', null);
    return this.#closing;
  }

  async #shutdown(reason: string, error: RoomConnectError | null): Promise<void> {
    const wasUp = this.#state !== 'disconnected';
    await this.#teardown();
    if (wasUp || error) this.#setState('disconnected', reason, error);
    this.#events.clear();
  }

  async #teardown(): Promise<void> {
    this.#clearReconnectTimer();
    this.#stopLiveness();
    this.input.close();
    this.#rtc.unregisterTextStreamHandler(TOPIC_CHAT);
    await this.output.close().catch(() => undefined);
    await settleWithin(this.#rtc.disconnect(), 3000).catch((err) => {
      this.#log('warn', `livekit: leaving the room did not finish cleanly (${errorMessage(err)})`);
    });
    this.#stopLogs();
  }

  #setState(state: RoomState, reason: string | null, error: RoomConnectError | null): void {
    if (this.#state === state && state !== 'disconnected') return;
    this.#state = state;
    this.#events.emit('state', { state, reason, error });
  }

  /** The connection is back (or being torn down): no reconnect bound runs any more. */
  #clearReconnectTimer(): void {
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#reconnectingSince = null;
  }

  #wire(): void {
    const rtc = this.#rtc;
    rtc.registerTextStreamHandler(TOPIC_CHAT, (reader, { identity }) => {
      reader.readAll().then(
        (text) => this.#events.emit('text', { identity, text, topic: TOPIC_CHAT }),
        (err) =>
          this.#log('warn', `livekit: chat from ${identity} unreadable (${errorMessage(err)})`),
      );
    });
    rtc.on(RoomEvent.ParticipantConnected, (p) => {
      this.#events.emit('participantJoined', { identity: p.identity, name: p.name ?? '' });
    });
    rtc.on(RoomEvent.ParticipantDisconnected, (p) => {
      const reason =
        DisconnectReason[p.disconnectReason ?? DisconnectReason.UNKNOWN_REASON] ?? 'UNKNOWN_REASON';
      this.#events.emit('participantLeft', { identity: p.identity, name: p.name ?? '', reason });
      this.#link.participantLeft(p);
    });
    rtc.on(RoomEvent.TrackSubscribed, (track, pub, p) => this.#link.trackSubscribed(track, pub, p));
    rtc.on(RoomEvent.TrackUnsubscribed, (_track, pub, p) => this.#link.trackUnsubscribed(pub, p));
    const muted =
      (muted: boolean) =>
      (pub: { sid?: string; source?: TrackSource }, p: { identity: string }) => {
        if (p.identity === this.identity) return;
        const source = TrackSource[pub.source ?? TrackSource.SOURCE_UNKNOWN] ?? 'SOURCE_UNKNOWN';
        this.#events.emit('trackMuted', {
          identity: p.identity,
          trackSid: pub.sid ?? '',
          source: source.replace(/^SOURCE_/, '').toLowerCase(),
          muted,
        });
      };
    rtc.on(RoomEvent.TrackMuted, muted(true));
    rtc.on(RoomEvent.TrackUnmuted, muted(false));
    this.#wireConnection();
  }

  /** The connection's life: rtc-node's reconnects and its end. */
  #wireConnection(): void {
    const rtc = this.#rtc;
    rtc.on(RoomEvent.Reconnecting, () => {
      this.#silent = false;
      this.#onReconnecting(null);
    });
    rtc.on(RoomEvent.Reconnected, () => {
      this.#silent = false;
      this.#clearReconnectTimer();
      this.#setState('connected', 'reconnected', null);
      this.#link.scan();
    });
    rtc.on(RoomEvent.Disconnected, (reason) => {
      if (this.#closing) return;
      const name = DisconnectReason[reason] ?? 'UNKNOWN_REASON';
      // rtc-node gives up reconnecting after its own attempts (with random backoff, sometimes
      // before our bound): that is the same lost connection, and says so.
      const since = this.#reconnectingSince;
      const error =
        since !== null
          ? lostConnectionError(this.url, { gaveUp: name, afterMs: performance.now() - since })
          : new RoomConnectError('connection_lost', `left room "${this.room}": ${name}`);
      this.#closing = this.#shutdown(name, error);
    });
  }

  /**
   * A server that stopped answering is reported as a lost connection (and the reconnect bound
   * starts) long before rtc-node's signal ping times out; if it answers again before rtc-node
   * noticed, the room is back. See liveness.ts.
   */
  #watchLiveness(): void {
    const every = this.#opts.livenessIntervalMs ?? 250;
    if (every <= 0) return;
    this.#stopLiveness = watchLiveness({
      intervalMs: every,
      read: async () =>
        this.#closing || !this.#rtc.isConnected
          ? null
          : consentCounts(await this.#rtc.getRtcStats()),
      onChange: (liveness) => this.#onLiveness(liveness),
    });
  }

  #onLiveness(liveness: Liveness): void {
    if (this.#closing) return;
    if (liveness === 'not_answering' && this.#state === 'connected') {
      this.#silent = true;
      this.#log('warn', `livekit: the server at ${this.url} stopped answering`);
      this.#onReconnecting('server_not_answering');
    } else if (liveness === 'answering' && this.#silent && this.#state === 'reconnecting') {
      this.#silent = false;
      this.#clearReconnectTimer();
      this.#log('info', `livekit: the server at ${this.url} answers again`);
      this.#setState('connected', 'server_answering', null);
    }
  }

  #onReconnecting(reason: string | null): void {
    this.#reconnectingSince ??= performance.now();
    this.#setState('reconnecting', reason, null);
    if (this.#reconnectTimer) return;
    const ms = this.#opts.reconnectTimeoutMs ?? 15_000;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (this.#closing || this.#state !== 'reconnecting') return;
      const error = lostConnectionError(this.url, { withinMs: ms });
      this.#closing = this.#shutdown('reconnect_timeout', error);
    }, ms);
  }
}
