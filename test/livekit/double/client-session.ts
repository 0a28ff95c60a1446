/**
 * One client connection to the LiveKit double: the signal WebSocket and the single peer
 * connection of LiveKit's v1 signalling (the client always offers, the double only answers).
 * Test-only.
 */
import {
  type AddTrackRequest,
  JoinResponse,
  MediaSectionsRequirement,
  type ParticipantInfo,
  Pong,
  type Room as RoomInfo,
  ServerInfo,
  SessionDescription,
  SignalRequest,
  SignalResponse,
  SignalTarget,
  TrackInfo,
  TrackPublishedResponse,
  TrackSource,
  TrackSubscribed,
  TrackType,
  TrickleRequest,
} from '@livekit/protocol';
import nodeDataChannel, {
  type DataChannel,
  type PeerConnection,
  type Track,
} from 'node-datachannel';
import type { WebSocket } from 'ws';
import { type ReceivedText, TextStreamAssembler } from './data.js';
import { OPUS_PT, OpusSink, type Pcm, parseRtp, RED_PT, type RtpView, rms } from './media.js';
import { offeredSections } from './sdp.js';

/** A remote track the double streams to this client once a slot of an offer carries it. */
export interface OutboundTrack {
  readonly participantSid: string;
  readonly trackSid: string;
  readonly ssrc: number;
  /** Called with the node-datachannel track once it can send. */
  attach(track: Track): void;
}

export interface ClientSessionInit {
  ws: WebSocket;
  room: RoomInfo;
  /** The access token the client joined with. */
  token: string;
  /** Keep decoding and storing the client's audio (default true). */
  captureAudio?: boolean;
  self: ParticipantInfo;
  others: ParticipantInfo[];
  offerSdp: string;
  pendingTracks: OutboundTrack[];
  onClosed: (s: ClientSession) => void;
}

/**
 * node-datachannel calls these from its own threads: an exception escaping one aborts the
 * whole process (Napi::Error -> std::terminate). Every native callback goes through this.
 */
function safe<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch {
      // a late callback on a session being torn down: nothing to do
    }
  };
}

let nextId = 1;
const sid = (prefix: string) => `${prefix}_${(nextId++).toString(36).padStart(6, '0')}`;

export class ClientSession {
  readonly identity: string;
  readonly participantSid: string;
  /** The access token it joined with. */
  readonly token: string;
  /** When the first packet of the client carrying sound (not silence) arrived (Date.now()). */
  firstSoundAt: number | null = null;
  readonly texts: ReceivedText[] = [];
  /** Signal request kinds in arrival order, and the labels of the client's data channels. */
  readonly requests: string[] = [];
  readonly dataChannels: string[] = [];
  readonly addTracks: AddTrackRequest[] = [];
  readonly #ws: WebSocket;
  readonly #pc: PeerConnection;
  /** node-datachannel closes a Track or channel that is garbage-collected: hold them all. */
  readonly #keep: Array<Track | DataChannel> = [];
  readonly #knownMids = new Set<string>();
  readonly #pending: OutboundTrack[];
  readonly #published = new Map<string, string>(); // client cid -> track sid
  readonly #midToTrackSid = new Map<string, string>();
  readonly #captures = new Map<string, OpusSink>(); // track sid (or mid) -> decoded audio
  readonly #assembler: TextStreamAssembler;
  readonly #waiters = new Set<() => void>();
  readonly #onClosed: (s: ClientSession) => void;
  readonly #capture: boolean;
  readonly #packetListeners = new Set<(at: number, rtp: RtpView) => void>();
  #reliable: DataChannel | null = null;
  readonly #outbox: Uint8Array[] = [];
  #closed = false;

  constructor(init: ClientSessionInit) {
    this.identity = init.self.identity;
    this.token = init.token;
    this.#capture = init.captureAudio ?? true;
    this.participantSid = init.self.sid;
    this.#ws = init.ws;
    this.#pending = [...init.pendingTracks];
    this.#onClosed = init.onClosed;
    this.#assembler = new TextStreamAssembler((t) => {
      this.texts.push(t);
      this.#wake();
    });
    this.#pc = new nodeDataChannel.PeerConnection(this.participantSid, {
      iceServers: [],
      bindAddress: '127.0.0.1',
      disableAutoNegotiation: true,
    });
    this.#wirePeer();
    this.#ws.on('message', (data: Buffer) => this.#onSignal(data));
    this.#ws.on('close', () => this.close());
    this.#ws.on('error', () => this.close());
    this.#send({
      case: 'join',
      value: new JoinResponse({
        room: init.room,
        participant: init.self,
        otherParticipants: init.others,
        serverVersion: '1.9.0',
        serverInfo: new ServerInfo({ version: '1.9.0', protocol: 16, nodeId: 'double' }),
        subscriberPrimary: false,
        pingInterval: 5,
        pingTimeout: 15,
      }),
    });
    this.#answer(init.offerSdp, 0);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Decoded audio of a track this client published (48 kHz mono), by track sid. */
  capturedAudio(trackSid?: string): Pcm | null {
    const sink = trackSid ? this.#captures.get(trackSid) : this.#captures.values().next().value;
    return sink ? sink.pcm() : null;
  }

  /** Calls `fn` with the arrival time (performance.now) of every audio packet the client sends. */
  onAudioPacket(fn: (at: number, rtp: RtpView) => void): () => void {
    this.#packetListeners.add(fn);
    return () => this.#packetListeners.delete(fn);
  }

  get publishedTrackSids(): string[] {
    return [...this.#published.values()];
  }

  /** Resolves once `check` holds; re-checked on every captured packet, text or close. */
  waitFor<T>(check: () => T | undefined | null | false, what: string, ms = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const tryNow = () => {
        const v = check();
        if (v !== undefined && v !== null && v !== false) {
          done();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`double: timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(tryNow);
      };
      this.#waiters.add(tryNow);
      tryNow();
    });
  }

  send(response: SignalResponse['message']): void {
    this.#send(response);
  }

  /** Sends on the double's `_reliable` channel; queued until that channel is open. */
  sendData(packets: Uint8Array[]): void {
    this.#outbox.push(...packets);
    this.#flushOutbox();
  }

  #flushOutbox(): void {
    const dc = this.#reliable;
    if (!dc?.isOpen()) return;
    for (const p of this.#outbox.splice(0)) dc.sendMessageBinary(p);
  }

  /** Streams one more remote track to this client, in a slot of its next offer. */
  addOutbound(t: OutboundTrack): void {
    this.#pending.push(t);
    this.requestAudioSlot();
  }

  /** Ask the client for one more receive slot (it re-offers with a new audio section). */
  requestAudioSlot(): void {
    this.#send({
      case: 'mediaSectionsRequirement',
      value: new MediaSectionsRequirement({ numAudios: 1 }),
    });
  }

  /** Abrupt: no leave, no close frame; the client sees the transport die. */
  drop(): void {
    this.#ws.terminate();
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#pc.close();
    } catch {
      // already closed
    }
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.close();
    for (const sink of this.#captures.values()) sink.close();
    this.#onClosed(this);
    this.#wake();
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  #send(message: SignalResponse['message']): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    this.#ws.send(new SignalResponse({ message }).toBinary());
  }

  #wirePeer(): void {
    this.#pc.onLocalDescription(
      safe((sdp, type) => {
        if (type !== 'answer') return;
        this.#send({
          case: 'answer',
          value: new SessionDescription({
            type: 'answer',
            sdp,
            id: this.#answerId,
            midToTrackId: Object.fromEntries(this.#midToTrackSid),
          }),
        });
      }),
    );
    this.#pc.onLocalCandidate(
      safe((candidate, mid) => {
        this.#send({
          case: 'trickle',
          value: new TrickleRequest({
            candidateInit: JSON.stringify({ candidate, sdpMid: mid, sdpMLineIndex: 0 }),
            target: SignalTarget.PUBLISHER,
          }),
        });
      }),
    );
    this.#pc.onDataChannel(
      safe((dc) => {
        this.#keep.push(dc);
        this.dataChannels.push(dc.getLabel());
        dc.onMessage(
          safe((msg) => {
            if (typeof msg === 'string' || this.#closed) return;
            this.#assembler.push(new Uint8Array(msg), this.identity);
          }),
        );
      }),
    );
    this.#pc.onTrack(
      safe((track) => {
        this.#keep.push(track);
        const sink = new OpusSink();
        this.#captures.set(this.#incomingKey(track.mid()), sink);
        track.onMessage(
          safe((buf) => {
            const rtp = parseRtp(buf);
            if (
              this.#closed ||
              !rtp ||
              (rtp.payloadType !== OPUS_PT && rtp.payloadType !== RED_PT)
            ) {
              return;
            }
            // Without capture, decode only until the first sound (a benchmark spares the CPU).
            if (this.#capture || this.firstSoundAt === null) {
              const pcm = sink.push(rtp);
              if (pcm && this.firstSoundAt === null && rms(pcm) > 0.01)
                this.firstSoundAt = Date.now();
            }
            const at = performance.now();
            for (const fn of this.#packetListeners) fn(at, rtp);
            this.#wake();
          }),
        );
      }),
    );
    this.#pc.onStateChange(
      safe((state) => {
        if (state === 'connected' && !this.#reliable && !this.#closed) {
          this.#reliable = this.#pc.createDataChannel('_reliable');
          this.#reliable.onOpen(safe(() => this.#flushOutbox()));
          this.#keep.push(this.#reliable);
        }
        if (state === 'failed' || state === 'closed') this.close();
      }),
    );
  }

  #answerId = 0;
  readonly #confirmed = new Set<string>();
  #offeredMsid = new Map<string, string>(); // mid -> client cid

  #incomingKey(mid: string): string {
    const cid = this.#offeredMsid.get(mid);
    return (cid && this.#published.get(cid)) ?? mid;
  }

  #answer(sdp: string, id: number): void {
    this.#answerId = id;
    for (const s of offeredSections(sdp)) {
      if (s.msidTrack) this.#offeredMsid.set(s.mid, s.msidTrack);
      if (this.#knownMids.has(s.mid)) continue;
      this.#knownMids.add(s.mid);
      if (s.kind === 'audio' && s.direction === 'recvonly') {
        const out = this.#pending.shift();
        const audio = new nodeDataChannel.Audio(s.mid, out ? 'SendOnly' : 'Inactive');
        audio.addOpusCodec(OPUS_PT);
        if (out) {
          // LiveKit names the stream "<participant sid>|<track sid>": the client maps it to the publication.
          audio.addSSRC(
            out.ssrc,
            out.participantSid,
            `${out.participantSid}|${out.trackSid}`,
            out.trackSid,
          );
          this.#midToTrackSid.set(s.mid, out.trackSid);
        }
        const track = this.#pc.addTrack(audio);
        this.#keep.push(track);
        if (out) out.attach(track);
      } else if (s.kind === 'video' && s.direction === 'recvonly') {
        const video = new nodeDataChannel.Video(s.mid, 'Inactive');
        video.addVP8Codec(96);
        this.#keep.push(this.#pc.addTrack(video));
      }
    }
    this.#pc.setRemoteDescription(sdp, 'offer');
    this.#pc.setLocalDescription('answer');
  }

  /**
   * The double's participants subscribe to everything the client publishes, as soon as the
   * answer that carries it went out (a real server sends the same once a subscriber is there).
   */
  #confirmSubscriptions(): void {
    for (const trackSid of this.#published.values()) {
      if (this.#confirmed.has(trackSid)) continue;
      this.#confirmed.add(trackSid);
      this.#send({ case: 'trackSubscribed', value: new TrackSubscribed({ trackSid }) });
    }
  }

  #onSignal(data: Buffer): void {
    let req: SignalRequest;
    try {
      req = SignalRequest.fromBinary(data);
    } catch {
      return;
    }
    const m = req.message;
    if (m.case) this.requests.push(m.case);
    queueMicrotask(() => this.#wake());
    switch (m.case) {
      case 'offer':
        this.#answer(m.value.sdp, m.value.id);
        this.#confirmSubscriptions();
        if (this.#pending.length > 0) this.requestAudioSlot();
        break;
      case 'trickle': {
        const init = JSON.parse(m.value.candidateInit) as { candidate?: string; sdpMid?: string };
        if (init.candidate) this.#pc.addRemoteCandidate(init.candidate, init.sdpMid ?? '0');
        break;
      }
      case 'addTrack': {
        this.addTracks.push(m.value);
        const trackSid = sid('TR');
        this.#published.set(m.value.cid, trackSid);
        this.#send({
          case: 'trackPublished',
          value: new TrackPublishedResponse({
            cid: m.value.cid,
            track: new TrackInfo({
              sid: trackSid,
              type: m.value.type,
              name: m.value.name,
              source: m.value.source,
              muted: m.value.muted,
              mimeType: m.value.type === TrackType.AUDIO ? 'audio/opus' : 'video/vp8',
              stereo: m.value.stereo,
            }),
          }),
        });
        break;
      }
      case 'pingReq':
        this.#send({
          case: 'pongResp',
          value: new Pong({ lastPingTimestamp: m.value.timestamp, timestamp: BigInt(Date.now()) }),
        });
        break;
      case 'ping':
        this.#send({ case: 'pong', value: BigInt(Date.now()) });
        break;
      case 'leave':
        this.close();
        break;
      default:
        break;
    }
  }
}

export const newSid = sid;
export const MICROPHONE = TrackSource.MICROPHONE;
