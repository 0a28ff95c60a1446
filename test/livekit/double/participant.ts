/**
 * A scripted remote participant of the LiveKit double: it can publish a microphone track
 * (PCM or WAV, sent as Opus RTP in real time), send `lk.chat` text, mute, and leave.
 * Test-only.
 */
import {
  ParticipantInfo,
  ParticipantInfo_State,
  ParticipantPermission,
  TrackInfo,
  TrackType,
} from '@livekit/protocol';
import type { Track } from 'node-datachannel';
import { MICROPHONE, newSid, type OutboundTrack } from './client-session.js';
import { textStreamPackets } from './data.js';
import { encodeOpusFrames, FRAME_SAMPLES, OPUS_PT, type Pcm, readWav, rtpPacket } from './media.js';

export interface ParticipantHost {
  /** Tells every connected client about this participant (a ParticipantUpdate). */
  announce(p: ScriptedParticipant): void;
  /** Gives every connected client a copy of the participant's new track. */
  offerTrack(p: ScriptedParticipant): void;
  sendData(packets: Uint8Array[]): void;
  remove(p: ScriptedParticipant): void;
}

export class ScriptedParticipant {
  readonly identity: string;
  readonly name: string;
  readonly sid = newSid('PA');
  readonly #host: ParticipantHost;
  readonly #joinedAt = BigInt(Math.floor(Date.now() / 1000));
  #track: TrackInfo | null = null;
  #state = ParticipantInfo_State.ACTIVE;
  #version = 1;
  /** The node-datachannel tracks the microphone goes out on, one per client (kept referenced). */
  readonly #senders: Track[] = [];
  readonly #ssrc = 0x1000_0000 + Math.floor(Math.random() * 0x0fff_ffff);
  #timer: NodeJS.Timeout | null = null;
  #done: (() => void) | null = null;
  #seq = Math.floor(Math.random() * 0xffff);
  #ts = Math.floor(Math.random() * 0x7fff_ffff);

  constructor(host: ParticipantHost, identity: string, name = identity) {
    this.#host = host;
    this.identity = identity;
    this.name = name;
  }

  info(): ParticipantInfo {
    return new ParticipantInfo({
      sid: this.sid,
      identity: this.identity,
      name: this.name,
      state: this.#state,
      joinedAt: this.#joinedAt,
      version: this.#version,
      isPublisher: this.#track !== null,
      tracks: this.#track ? [this.#track] : [],
      permission: new ParticipantPermission({
        canPublish: true,
        canSubscribe: true,
        canPublishData: true,
      }),
    });
  }

  get micTrackSid(): string | null {
    return this.#track?.sid ?? null;
  }

  /** A copy of the microphone track for one client session (null while not publishing). */
  outbound(): OutboundTrack | null {
    if (!this.#track) return null;
    return {
      participantSid: this.sid,
      trackSid: this.#track.sid,
      ssrc: this.#ssrc,
      attach: (track) => this.#senders.push(track),
    };
  }

  /**
   * Publishes a microphone track (once) and streams `audio` on it in real time, 20 ms Opus
   * frames, to every client that has a slot for it (clients that join or reconnect later get
   * theirs too). Frames only advance while some client can hear them. Resolves after the
   * last frame; a later call replaces what is playing.
   */
  publishAudio(audio: Pcm | string, opts: { leadSilenceMs?: number } = {}): Promise<void> {
    const pcm = typeof audio === 'string' ? readWav(audio) : audio;
    const lead = Math.round(((opts.leadSilenceMs ?? 200) / 1000) * 48_000);
    const silence =
      lead > 0 ? encodeOpusFrames({ samples: new Int16Array(lead), sampleRate: 48_000 }) : [];
    const frames = [...silence, ...encodeOpusFrames(pcm)];
    if (!this.#track) {
      this.#track = new TrackInfo({
        sid: newSid('TR'),
        type: TrackType.AUDIO,
        source: MICROPHONE,
        name: 'microphone',
        mimeType: 'audio/opus',
      });
      this.#bump();
      this.#host.offerTrack(this);
    }
    this.#stopStream();
    return new Promise((resolve) => this.#stream(frames, resolve));
  }

  /** Sends text the way LiveKit's clients send chat: a text stream on `lk.chat`. */
  sendChat(text: string): void {
    this.sendText('lk.chat', text);
  }

  sendText(topic: string, text: string, attributes?: Record<string, string>): void {
    this.#host.sendData(textStreamPackets({ from: this.identity, topic, text, attributes }));
  }

  setMuted(muted: boolean): void {
    if (!this.#track) return;
    this.#track = new TrackInfo({ ...this.#track, muted });
    this.#bump();
  }

  leave(): void {
    this.#stopStream();
    this.#state = ParticipantInfo_State.DISCONNECTED;
    this.#bump();
    this.#host.remove(this);
  }

  #bump(): void {
    this.#version++;
    this.#host.announce(this);
  }

  #stopStream(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#done?.();
    this.#done = null;
  }

  #stream(frames: Buffer[], done: () => void): void {
    let i = 0;
    this.#done = done;
    this.#timer = setInterval(() => {
      const open = this.#senders.filter((t) => t.isOpen());
      if (open.length === 0) return; // nobody can hear yet: wait (DTLS, negotiation)
      const payload = frames[i++];
      if (!payload) {
        this.#stopStream();
        return;
      }
      const packet = rtpPacket({
        payloadType: OPUS_PT,
        seq: this.#seq++,
        timestamp: this.#ts,
        ssrc: this.#ssrc,
        payload,
        marker: i === 1,
      });
      this.#ts += FRAME_SAMPLES;
      for (const t of open) {
        try {
          t.sendMessageBinary(packet);
        } catch {
          // that client's connection closed under us
        }
      }
    }, 20);
  }
}
