/**
 * One job inside its job process: join the room with the assigned token, run the agent's
 * session exactly as `voxagent connect` does (same session, same room wiring, same end of
 * conversation), and end it once: the session closes, the agent leaves the room, then the
 * shutdown callbacks run.
 */
import { createAgentSession } from '../cli/agent-session.js';
import type { ChosenModels } from '../cli/providers.js';
import { type ConversationEnd, followRoom, wireRoom } from '../livekit/agent-room.js';
import { connectRoom, type RoomConnection, type RoomLog } from '../livekit/index.js';
import { settleWithin } from '../livekit/within.js';
import type { AgentFactory } from '../replay/agent-loader.js';
import { RealClock } from '../runtime/clock/real-clock.js';
import { errorMessage } from '../runtime/core/errors.js';
import type { SessionEvent } from '../runtime/events/types.js';
import type { VAD } from '../runtime/models/vad.js';
import type { AgentSession } from '../runtime/session/session.js';
import type { JobLaunch } from './ipc.js';
import type { JobControl, JobEnd } from './job-context.js';
import type { LogFields } from './log.js';

/** What a job process prepared before its job: the agent, its models and a VAD. */
export interface PreparedAgent {
  readonly factory: AgentFactory;
  readonly models: ChosenModels;
  readonly vad: VAD | undefined;
}

export type JobLog = (level: Parameters<RoomLog>[0], msg: string, fields?: LogFields) => void;

/** Bounds on the way out: closing the session, and the shutdown callbacks. */
const SESSION_CLOSE_MS = 10_000;
const CALLBACKS_MS = 10_000;
/** Room ends that are a normal end of a job, not a failure. */
const NORMAL_DISCONNECTS = new Set([
  'ROOM_DELETED',
  'ROOM_CLOSED',
  'PARTICIPANT_REMOVED',
  'CLIENT_INITIATED',
  'closed',
]);

export async function runJob(
  launch: JobLaunch,
  agent: PreparedAgent,
  control: JobControl,
  log: JobLog,
  joined: () => void,
): Promise<JobEnd> {
  const roomLog: RoomLog = (level, message) => log(level, message);
  let conn: RoomConnection;
  try {
    conn = await connectRoom({
      url: launch.url,
      token: launch.token,
      room: launch.job.room.name,
      identity: launch.identity,
      name: launch.name,
      ...(launch.job.participant ? { participant: launch.job.participant.identity } : {}),
      env: {},
      log: roomLog,
      connectTimeoutMs: 10_000,
    });
  } catch (err) {
    return { reason: 'could not join the room', error: errorMessage(err) };
  }
  joined();
  const session = createAgentSession({
    clock: new RealClock(),
    models: agent.models,
    output: conn.output,
    input: conn.input,
    vad: agent.vad,
  });
  wireRoom(session, conn, roomLog);
  session.onAny((event) => logSessionEvent(log, event));
  session.on('session.closed', () => control.end({ reason: 'the session closed', error: null }));
  followRoom(conn, { log: roomLog, onEnd: (end) => control.end(jobEndOf(end)) });
  void startAgent(session, agent.factory, control, log);
  const end = await control.ended;
  await settleWithin(session.close(end.reason), SESSION_CLOSE_MS).catch((err: unknown) => {
    log('warn', `the session did not close cleanly: ${errorMessage(err)}`);
  });
  await conn.close();
  for (const problem of await control.runShutdownCallbacks(end.reason, CALLBACKS_MS)) {
    log('warn', problem);
  }
  return end;
}

/** The agent module's factory gets the job; a factory or start that throws fails the job. */
async function startAgent(
  session: AgentSession,
  factory: AgentFactory,
  control: JobControl,
  log: JobLog,
): Promise<void> {
  try {
    const agent = await factory({ userData: undefined, job: control.context });
    if (control.isEnded) return;
    await session.start({ agent });
    log('info', `session started with ${agent.name}`);
  } catch (err) {
    control.end({ reason: 'the agent failed', error: errorMessage(err) });
  }
}

function jobEndOf(end: ConversationEnd): JobEnd {
  if (end.kind === 'participant_left') {
    return { reason: `${end.identity} left the room`, error: null };
  }
  const reason = end.reason ?? 'unknown';
  if (!end.error || NORMAL_DISCONNECTS.has(reason)) {
    return { reason: `the room connection ended (${reason})`, error: null };
  }
  return { reason: 'lost the room', error: end.error.message };
}

/** Problems at their level; every other event at debug, whole, for whoever reads the log. */
function logSessionEvent(log: JobLog, event: SessionEvent): void {
  if (event.type === 'error') log('error', `${event.source}: ${event.message}`);
  else if (event.type === 'warning') log('warn', event.message);
  else if (event.type === 'deadlock') log('error', `deadlock: ${event.description}`);
  else log('debug', 'session event', { event });
}
