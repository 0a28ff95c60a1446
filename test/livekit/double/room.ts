/**
 * One room of the LiveKit double: its scripted participants and the client sessions (agents)
 * connected to it. The double hosts several at once. Test-only.
 */
import {
  DisconnectReason,
  LeaveRequest,
  LeaveRequest_Action,
  ParticipantUpdate,
  Room as RoomInfo,
} from '@livekit/protocol';
import { type ClientSession, newSid } from './client-session.js';
import { type ParticipantHost, ScriptedParticipant } from './participant.js';

export class DoubleRoom implements ParticipantHost {
  readonly name: string;
  readonly sid = newSid('RM');
  readonly metadata: string;
  readonly createdAt = Date.now();
  readonly participants = new Map<string, ScriptedParticipant>();
  readonly sessions = new Set<ClientSession>();
  #deleted = false;

  constructor(name: string, metadata = '') {
    this.name = name;
    this.metadata = metadata;
  }

  get deleted(): boolean {
    return this.#deleted;
  }

  info(): RoomInfo {
    return new RoomInfo({
      sid: this.sid,
      name: this.name,
      metadata: this.metadata,
      numParticipants: this.participants.size + this.sessions.size,
      creationTime: BigInt(Math.floor(this.createdAt / 1000)),
    });
  }

  /** A remote participant in the room; it joins at once (clients connected later see it in their join). */
  addParticipant(identity: string, name?: string): ScriptedParticipant {
    const p = new ScriptedParticipant(this, identity, name);
    this.participants.set(identity, p);
    this.announce(p);
    return p;
  }

  /**
   * The room is deleted (RoomService.DeleteRoom): every client gets a leave with
   * ROOM_DELETED and is disconnected; the scripted participants are gone.
   */
  delete(): void {
    this.#deleted = true;
    // Clients hear of the deletion first, as from LiveKit, not of everyone leaving.
    for (const s of [...this.sessions]) {
      s.send({
        case: 'leave',
        value: new LeaveRequest({
          reason: DisconnectReason.ROOM_DELETED,
          action: LeaveRequest_Action.DISCONNECT,
        }),
      });
      s.close();
    }
    for (const p of [...this.participants.values()]) p.leave();
  }

  // ParticipantHost

  announce(p: ScriptedParticipant): void {
    for (const s of this.sessions) {
      s.send({ case: 'update', value: new ParticipantUpdate({ participants: [p.info()] }) });
    }
  }

  offerTrack(p: ScriptedParticipant): void {
    for (const s of this.sessions) {
      const t = p.outbound();
      if (t) s.addOutbound(t);
    }
  }

  sendData(packets: Uint8Array[]): void {
    for (const s of this.sessions) s.sendData(packets);
  }

  remove(p: ScriptedParticipant): void {
    this.participants.delete(p.identity);
  }
}
