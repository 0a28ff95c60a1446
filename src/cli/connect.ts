import { join } from 'node:path';
import { followRoom, wireRoom } from '../livekit/agent-room.js';
import type { RoomConnection, RoomLog } from '../livekit/index.js';
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
  const roomLog: RoomLog = (level, message) => logger[level](message);
  const { connectRoom } = await import('../livekit/index.js');
  // Connect before drawing the screen: a wrong URL or secret is one clear line, no UI.
  const conn = await connectRoom({
    ...(flags.url !== undefined ? { url: flags.url } : {}),
    ...(flags.apiKey !== undefined ? { apiKey: flags.apiKey } : {}),
    ...(flags.apiSecret !== undefined ? { apiSecret: flags.apiSecret } : {}),
    room,
    identity: flags.identity ?? 'voxagent',
    ...(flags.participant !== undefined ? { participant: flags.participant } : {}),
    log: roomLog,
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
    onSession: (session) => wireRoom(session, conn, roomLog),
    ...(flags.record !== undefined ? { record: flags.record } : {}),
    logger,
    notes: [notes.text()],
  });
  let lastError: string | undefined;
  followRoom(conn, {
    log: roomLog,
    onChange: (reason) => {
      notes.setReason(reason);
      live.setNotes([notes.text()]);
    },
    onEnd: (end) => {
      const failed = end.kind === 'disconnected' && end.error !== undefined;
      if (failed) {
        lastError = end.error?.message;
        logger.error(end.error?.message ?? 'the room connection ended');
      }
      void live.quit(failed ? 1 : 0);
    },
  });
  const onSignal = () => void live.quit(0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await live.start(agent, models);
    const code = await live.exited;
    await conn.close();
    if (code !== 0) console.error(`voxagent: ${lastError ?? 'the room connection ended'}`);
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

/** What the header says of the connection, first and short (it must fit 80 columns). */
function describeState(state: RoomConnection['state'], reason: string | null): string {
  if (state !== 'reconnecting') return state;
  return reason === 'server_not_answering'
    ? 'lost: server not answering, reconnecting'
    : 'lost, reconnecting';
}
