/**
 * What an agent session does in a room, shared by `voxagent connect` and the jobs of
 * `voxagent start`: room chat becomes user turns, both sides' words go back as
 * transcriptions, and the room's life is logged and watched for the end of the conversation.
 */
import type { AgentSession } from '../runtime/session/session.js';
import type { RoomConnectError } from './errors.js';
import type { RoomConnection } from './room-connection.js';
import type { RoomLog } from './rtc-log.js';

/** How a conversation in a room ends for the agent. */
export type ConversationEnd =
  /** The user the agent talked to left and nobody else is in the room. */
  | { readonly kind: 'participant_left'; readonly identity: string }
  /** The room connection ended: `reason` names why (e.g. `ROOM_DELETED`), `error` if it was lost. */
  | {
      readonly kind: 'disconnected';
      readonly reason: string | null;
      readonly error: RoomConnectError | null;
    };

/** Room text becomes user turns; both sides' words go back to the room as transcriptions. */
export function wireRoom(session: AgentSession, conn: RoomConnection, log: RoomLog): void {
  const off = conn.onText((event) => {
    if (conn.linkedParticipant && event.identity !== conn.linkedParticipant) return;
    log('info', `chat from ${event.identity}: ${event.text}`);
    if (!session.closed) session.sendUserText(event.text, { source: 'text' });
  });
  const agentText = new Map<string, string>();
  const publish = (p: Promise<void>) =>
    p.catch((err: unknown) => log('warn', `transcription: ${String(err)}`));
  session.onAny((event) => {
    switch (event.type) {
      case 'user.transcript':
        publish(conn.transcriptions.user(event.text, event.final));
        return;
      case 'speech.text': {
        const text = (agentText.get(event.speechId) ?? '') + event.delta;
        agentText.set(event.speechId, text);
        publish(conn.transcriptions.agent(event.speechId, text, false));
        return;
      }
      case 'speech.done':
        agentText.delete(event.speechId);
        if (event.spokenText)
          publish(conn.transcriptions.agent(event.speechId, event.spokenText, true));
        return;
      case 'session.closed':
        off();
    }
  });
}

export interface FollowRoomOptions {
  readonly log: RoomLog;
  /** Called once, when the conversation is over. */
  readonly onEnd: (end: ConversationEnd) => void;
  /**
   * Called on every change worth redrawing (participants, link, connection state), with
   * the reason of the last connection change (e.g. `server_not_answering`).
   */
  readonly onChange?: (reason: string | null) => void;
}

/**
 * Logs who the agent listens to, who leaves and how the connection fares, and reports the
 * end of the conversation once (whether a lost room is an error is the caller's call).
 * Returns the unsubscribe.
 */
export function followRoom(conn: RoomConnection, opts: FollowRoomOptions): () => void {
  const { log } = opts;
  let reason: string | null = null;
  const changed = () => opts.onChange?.(reason);
  let ended = false;
  const end = (e: ConversationEnd) => {
    if (ended) return;
    ended = true;
    opts.onEnd(e);
  };
  const offs = [
    conn.on('linked', (link) => {
      changed();
      if (link.identity === null) log('info', 'listening to nobody');
      else if (link.trackSid) log('info', `listening to ${link.identity}`);
      else log('info', `${link.identity} has no microphone track`);
    }),
    conn.onParticipantJoined(changed),
    conn.onState((event) => {
      reason = event.reason;
      changed();
      if (event.state === 'reconnecting') {
        const why =
          event.reason === 'server_not_answering' ? ' (the server stopped answering)' : '';
        log('warn', `lost the room connection${why}: reconnecting`);
      } else if (event.state === 'connected') log('info', `reconnected to room ${conn.room}`);
      else if (event.state === 'disconnected') {
        end({ kind: 'disconnected', reason: event.reason, error: event.error });
      }
    }),
    conn.onParticipantLeft((p) => {
      changed();
      log('info', `${p.identity} left (${p.reason})`);
      // While reconnecting, rtc-node rebuilds the room and reports everyone as gone; they come
      // back with the new join. Only a leave seen on a live connection ends the conversation.
      if (conn.state !== 'connected') return;
      // The user we talk to left and nobody else is here: the conversation is over. The adapter
      // reports the leave before it unlinks that participant, so `linkedParticipant` may still
      // name them here: count who else is in the room instead.
      const others = conn.participants.filter((q) => q.identity !== p.identity);
      if (others.length === 0) end({ kind: 'participant_left', identity: p.identity });
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
