/**
 * Which remote participant the agent listens to. With `--participant <identity>` only that
 * one; otherwise the first remote participant whose microphone track is subscribed, and when
 * that participant leaves, the next one that has (or later gets) a microphone.
 */
import {
  type RemoteAudioTrack,
  RemoteAudioTrack as RemoteAudioTrackClass,
  type RemoteParticipant,
  type RemoteTrack,
  type RemoteTrackPublication,
  type Room,
  TrackSource,
} from '@livekit/rtc-node';
import type { RoomEvents } from './events.js';
import type { RoomAudioInput } from './input.js';

function micOf(p: RemoteParticipant): { track: RemoteAudioTrack; sid: string } | null {
  for (const pub of p.trackPublications.values()) {
    if (pub.source !== TrackSource.SOURCE_MICROPHONE) continue;
    if (pub.track instanceof RemoteAudioTrackClass && pub.sid)
      return { track: pub.track, sid: pub.sid };
  }
  return null;
}

export class ParticipantLink {
  readonly #room: Room;
  readonly #input: RoomAudioInput;
  readonly #events: RoomEvents;
  readonly #wanted: string | null;
  #identity: string | null = null;
  #trackSid: string | null = null;

  constructor(room: Room, input: RoomAudioInput, events: RoomEvents, wanted: string | null) {
    this.#room = room;
    this.#input = input;
    this.#events = events;
    this.#wanted = wanted;
  }

  get identity(): string | null {
    return this.#identity;
  }

  get trackSid(): string | null {
    return this.#trackSid;
  }

  /** Links the first eligible participant already in the room, if none is linked. */
  scan(): void {
    if (this.#identity && this.#input.track) return;
    for (const p of this.#room.remoteParticipants.values()) {
      if (this.#wanted && p.identity !== this.#wanted) continue;
      if (this.#identity && p.identity !== this.#identity) continue;
      const mic = micOf(p);
      if (mic) {
        this.#link(p.identity, mic.track, mic.sid);
        return;
      }
    }
  }

  trackSubscribed(track: RemoteTrack, pub: RemoteTrackPublication, p: RemoteParticipant): void {
    if (pub.source !== TrackSource.SOURCE_MICROPHONE) return;
    if (!(track instanceof RemoteAudioTrackClass)) return;
    if (this.#wanted && p.identity !== this.#wanted) return;
    // Keep the linked participant while they are here; take a new mic of theirs (re-publish,
    // re-subscribe after a reconnect) as their input.
    if (this.#identity && this.#identity !== p.identity && this.#input.track) return;
    this.#link(p.identity, track, pub.sid ?? null);
  }

  trackUnsubscribed(pub: RemoteTrackPublication, p: RemoteParticipant): void {
    if (p.identity !== this.#identity || pub.sid !== this.#trackSid) return;
    this.#trackSid = null;
    this.#input.setTrack(null);
    this.#events.emit('linked', { identity: this.#identity, trackSid: null });
  }

  participantLeft(p: RemoteParticipant): void {
    if (p.identity !== this.#identity) return;
    this.#identity = null;
    this.#trackSid = null;
    this.#input.setTrack(null);
    this.#events.emit('linked', { identity: null, trackSid: null });
    this.scan();
  }

  #link(identity: string, track: RemoteAudioTrack, trackSid: string | null): void {
    const changed = identity !== this.#identity || trackSid !== this.#trackSid;
    this.#identity = identity;
    this.#trackSid = trackSid;
    this.#input.setTrack(track);
    if (changed) this.#events.emit('linked', { identity, trackSid });
  }
}

export type { RemoteAudioTrack };
