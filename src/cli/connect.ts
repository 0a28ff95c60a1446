import { join } from 'node:path';
import type { RoomConnection } from '../livekit/index.js';
import type { AgentSession } from '../runtime/session/session.js';
import type { LogLevel } from '../ui/types.js';
import { loadAgentModule } from './agent-bundle.js';
import { exitSoon, packageRoot } from './dev.js';
import { type AudioLink, LiveConsole } from './live-console.js';
import { Logger } from './logger.js';
import { chooseModels, type ProviderFlags } from './providers.js';

export interface ConnectFlags extends ProviderFlags {
  url?: string;
  apiKey?: string;
  apiSecret?: string;
  identity?: string;
  participant?: string;
  record?: string;
  logLevel?: LogLevel;
}

/** `voxagent connect <room>`: the agent joins a LiveKit room, with the same console. */
export async function connectCommand(
  room: string,
  agentFile: string | undefined,
  flags: ConnectFlags,
): Promise<number> {
  try {
    return await runConnect(room, agentFile, flags);
  } catch (err) {
    // Once rtc-node has tried to join, its native side keeps the process alive with no handle
    // Node knows of, so a refused join printed its line and then hung. Leave once main() has
    // reported the error and set process.exitCode.
    setTimeout(() => process.exit(), 300).unref();
    throw err;
  }
}

async function runConnect(
  room: string,
  agentFile: string | undefined,
  flags: ConnectFlags,
): Promise<number> {
  const file = agentFile ?? join(packageRoot(), 'examples', 'front-desk.ts');
  const logger = new Logger({
    name: 'connect',
    level: flags.logLevel ?? 'info',
    secrets: [
      process.env.OPENAI_API_KEY,
      process.env.DEEPGRAM_API_KEY,
      flags.apiSecret,
      process.env.LIVEKIT_API_SECRET,
    ],
  });
  const agent = await loadAgentModule(file);
  const models = await chooseModels(flags, agent.demo);
  const { connectRoom } = await import('../livekit/index.js');
  // Connect before drawing the screen: a wrong URL or secret is one clear line, no UI.
  const conn = await connectRoom({
    ...(flags.url !== undefined ? { url: flags.url } : {}),
    ...(flags.apiKey !== undefined ? { apiKey: flags.apiKey } : {}),
    ...(flags.apiSecret !== undefined ? { apiSecret: flags.apiSecret } : {}),
    room,
    identity: flags.identity ?? 'voxagent',
    ...(flags.participant !== undefined ? { participant: flags.participant } : {}),
    log: (level, message) => logger[level](message),
  }).catch(async (err: unknown) => {
    logger.error(err instanceof Error ? err.message : String(err));
    await logger.close();
    throw err;
  });
  logger.info(`joined room ${room} at ${conn.url} as ${conn.identity}`);
  const notes = roomNotes(conn);
  const live = new LiveConsole({
    title: 'voxagent connect',
    mode: 'audio',
    fixedAudio: true,
    openAudio: async () => roomAudioLink(conn),
    onSession: (session) => wireRoom(session, conn, logger),
    ...(flags.record !== undefined ? { record: flags.record } : {}),
    logger,
    notes: [notes.text()],
  });
  const followed = followRoom(conn, live, logger, notes);
  const onSignal = () => void live.quit(0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await live.start(agent, models);
    const code = await live.exited;
    await conn.close();
    if (code !== 0)
      console.error(`voxagent: ${followed.lastError() ?? 'the room connection ended'}`);
    exitSoon(code);
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await logger.close();
  }
}

/** The room as the console's audio link: what the agent hears and says. */
function roomAudioLink(conn: RoomConnection): AudioLink {
  return {
    input: conn.input,
    output: conn.output,
    // The meter shows the linked participant's microphone as the agent hears it.
    level: () => conn.input.level(),
    // Mute: the agent stops hearing the room (the participant is not muted for others).
    setMuted: (muted) => conn.input.setMuted(muted),
    close: () => conn.close(),
  };
}

/** The header note about the room, kept with the reason of the last state change. */
function roomNotes(conn: RoomConnection) {
  let reason: string | null = null;
  return {
    setReason(next: string | null) {
      reason = next;
    },
    text: () =>
      `room ${conn.room} · ${describeState(conn.state, reason)} · listening to ${conn.linkedParticipant ?? 'nobody yet'} · ${conn.participants.length} in room`,
  };
}

/**
 * Keeps the header and the log in step with the room, and ends the console when the
 * conversation is over (the last participant left) or the connection is gone.
 */
function followRoom(
  conn: RoomConnection,
  live: LiveConsole,
  logger: Logger,
  notes: ReturnType<typeof roomNotes>,
): { lastError(): string | undefined } {
  const refresh = () => live.setNotes([notes.text()]);
  conn.on('linked', (link) => {
    refresh();
    if (link.identity === null) logger.info('listening to nobody');
    else if (link.trackSid) logger.info(`listening to ${link.identity}`);
    else logger.info(`${link.identity} has no microphone track`);
  });
  conn.onParticipantJoined(refresh);
  let lastError: string | undefined;
  conn.onState((event) => {
    notes.setReason(event.reason);
    refresh();
    if (event.state === 'reconnecting') {
      logger.warn(`lost the room connection${becauseOf(event.reason)}: reconnecting`);
    } else if (event.state === 'connected') logger.info(`reconnected to room ${conn.room}`);
    else if (event.state === 'disconnected') {
      if (event.error) {
        lastError = event.error.message;
        logger.error(event.error.message);
      }
      void live.quit(event.error ? 1 : 0);
    }
  });
  conn.onParticipantLeft((p) => {
    refresh();
    logger.info(`${p.identity} left (${p.reason})`);
    // While reconnecting, rtc-node rebuilds the room and reports everyone as gone; they come
    // back with the new join. Only a leave seen on a live connection ends the conversation.
    if (conn.state !== 'connected') return;
    // The user we talk to left and nobody else is here: the conversation is over. The adapter
    // reports the leave before it unlinks that participant, so `linkedParticipant` may still
    // name them here: count who else is in the room instead.
    const others = conn.participants.filter((q) => q.identity !== p.identity);
    if (others.length === 0) void live.quit(0);
  });
  return { lastError: () => lastError };
}

/** What the header says of the connection, first and short (it must fit 80 columns). */
function describeState(state: RoomConnection['state'], reason: string | null): string {
  if (state !== 'reconnecting') return state;
  return reason === 'server_not_answering'
    ? 'lost: server not answering, reconnecting'
    : 'lost, reconnecting';
}

function becauseOf(reason: string | null): string {
  return reason === 'server_not_answering' ? ' (the server stopped answering)' : '';
}

/** Room text becomes user turns; both sides' words go back to the room as transcriptions. */
function wireRoom(session: AgentSession, conn: RoomConnection, logger: Logger): void {
  const off = conn.onText((event) => {
    if (conn.linkedParticipant && event.identity !== conn.linkedParticipant) return;
    logger.info(`chat from ${event.identity}: ${event.text}`);
    if (!session.closed) session.sendUserText(event.text, { source: 'text' });
  });
  const agentText = new Map<string, string>();
  const publish = (p: Promise<void>) =>
    p.catch((err: unknown) => logger.warn(`transcription: ${String(err)}`));
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
