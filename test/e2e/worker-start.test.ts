/**
 * `voxagent start` end to end: the built CLI in a child process registers with the LiveKit
 * double's `/agent` service, and its jobs join the double's rooms with the real
 * @livekit/rtc-node client. What is checked is what LiveKit would see (protocol messages,
 * tokens, the agents' audio) and what the worker logs (JSON lines on stdout). Every wait is
 * on an observable condition with a generous bound: the machine may be very busy.
 */
import { readFileSync } from 'node:fs';
import { JobStatus, JobType, WorkerStatus } from '@livekit/protocol';
import {
  AccessToken,
  AgentDispatchClient,
  RoomAgentDispatch,
  RoomConfiguration,
} from 'livekit-server-sdk';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobRecord, LiveKitDouble } from '../livekit/double/server.js';
import type { WorkerRecord } from '../livekit/double/worker-record.js';
import {
  BUILT,
  type Defer,
  describeRun,
  exitWithin,
  fixture,
  loudMs,
  ROOT,
  runCli,
} from './fixtures/connect-harness.js';
import { GREETING, HOURS_QUESTION, HOURS_REPLY } from './fixtures/script.js';
import {
  describeWorker,
  getHealth,
  roomEnv,
  startDouble,
  startWorker,
  type WorkerRun,
} from './fixtures/worker-harness.js';

const NO_BUILD = 'dist/ is missing: run `npm run build` first (these tests run the built CLI)';
const SKIP = !BUILT && process.env.CI !== 'true';
if (SKIP) console.warn(`test/e2e/worker-start.test.ts skipped: ${NO_BUILD}`);
const VERSION = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string })
  .version;
const LONG = 120_000;

/** A worker that has registered; resolves with its run and the double's record of it. */
async function registered(
  defer: Defer,
  d: LiveKitDouble,
  extra: string[] = [],
): Promise<{ run: WorkerRun; worker: WorkerRecord }> {
  const run = startWorker(defer, d, extra);
  const line = await run.line('registered with the LiveKit server');
  const worker = await d.agents.waitFor(
    () => d.agents.workers.find((w) => w.id === line.worker_id),
    'the registered worker',
  );
  return { run, worker };
}

/** Polls the worker's health endpoint until it answers `status`. */
async function healthBecomes(port: number, status: number): Promise<string> {
  const started = Date.now();
  for (;;) {
    const res = await getHealth(port, '/health').catch(() => ({ status: 0, body: '' }));
    if (res.status === status) return res.body;
    if (Date.now() - started > 30_000) throw new Error(`/health never answered ${status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The job of `room` once assigned, and its agent's session in the double. */
async function joinedJob(d: LiveKitDouble, room: string) {
  const job = await d.agents.waitFor(
    () => d.agents.jobsIn(room).find((j) => j.outcome === 'assigned'),
    `a job assigned for ${room}`,
  );
  const agent = await d.waitForSession(`agent-${job.job.id}`, 30_000);
  return { job, agent, id: job.job.id };
}

async function exitsZero(run: WorkerRun, what: string): Promise<void> {
  const exit = await exitWithin(run, 60_000, what);
  expect(exit.code, describeWorker(run)).toBe(0);
  expect(run.stderr()).toBe('');
}

describe.skipIf(SKIP)('voxagent start against the LiveKit double', () => {
  const later: (() => Promise<void> | void)[] = [];
  const defer: Defer = (fn) => later.push(fn);
  afterEach(async () => {
    for (const fn of later.splice(0).reverse()) await fn();
  });
  beforeAll(() => {
    if (!BUILT) throw new Error(NO_BUILD);
  });

  it(
    'registers with a token that carries only the agent grant, answers pings, and /health follows the registration',
    async () => {
      const d = await startDouble(defer);
      const { run, worker } = await registered(defer, d);
      expect(worker.messages[0]).toBe('register');
      expect(worker.registration).toMatchObject({
        type: JobType.JT_ROOM,
        agentName: '',
        version: VERSION,
      });
      expect(worker.registration?.allowedPermissions).toMatchObject({
        canPublish: true,
        canSubscribe: true,
        canPublishData: true,
        agent: true,
      });
      expect(worker.claims.video).toEqual({ agent: true });
      expect(worker.claims.sub).toBeUndefined();
      await d.agents.waitFor(() => worker.pongs >= 2, "two answers to the server's pings");
      const update = await d.agents.waitFor(() => worker.lastUpdate, 'a status update');
      expect(update).toMatchObject({ status: WorkerStatus.WS_AVAILABLE, jobCount: 0 });
      expect(update.load).toBeGreaterThanOrEqual(0);
      expect(update.load).toBeLessThanOrEqual(1);

      const port = await run.healthPort();
      expect(await healthBecomes(port, 200)).toBe('OK\n');
      const info = JSON.parse((await getHealth(port, '/worker')).body) as Record<string, unknown>;
      expect(info).toMatchObject({
        worker_id: worker.id,
        agent_name: '',
        active_jobs: 0,
        protocol_version: 1,
        registered: true,
        version: VERSION,
      });
      // The server goes away: not registered, 503; it comes back: registered again, 200.
      d.agents.refuseWorkers(true);
      d.agents.dropWorkers();
      await healthBecomes(port, 503);
      d.agents.refuseWorkers(false);
      await d.agents.waitFor(() => d.agents.connected.length === 1, 'the worker back', 30_000);
      await healthBecomes(port, 200);
      await run.line('registered with the LiveKit server', (l) => l.worker_id !== worker.id);
      run.signal('SIGTERM');
      await exitsZero(run, 'the worker after SIGTERM');
    },
    LONG,
  );

  it(
    'a job offered in the same breath as the answer to its registration is answered',
    async () => {
      const d = await startDouble(defer);
      let job: Promise<JobRecord> | null = null;
      d.agents.onRegistered = () => {
        // Offered with no pause after `register`: both usually reach the worker in one read.
        job ??= d.createRoom('eager').then(() => d.agents.jobsIn('eager')[0]!);
      };
      const run = startWorker(defer, d);
      await run.line('registered with the LiveKit server');
      const record = await d.agents.waitFor(() => job, 'the eager dispatch');
      expect((await record).outcome).toBe('assigned');
      await run.line('job accepted', (l) => l.room === 'eager');
      run.signal('SIGTERM');
      d.deleteRoom('eager');
      await exitsZero(run, 'the worker after SIGTERM');
    },
    LONG,
  );

  it(
    'three rooms dispatched within a second: each answered within 5 s, joined with its assigned token, all speaking at once',
    async () => {
      const d = await startDouble(defer);
      const { run } = await registered(defer, d, ['--idle-processes', '3']);
      const rooms = ['r1', 'r2', 'r3'];
      await Promise.all(rooms.map((r) => d.createRoom(r, { agents: [{ metadata: 'monologue' }] })));
      const jobs = await Promise.all(rooms.map((r) => joinedJob(d, r)));
      for (const { job, agent } of jobs) {
        const offer = job.offers[0]!;
        expect(offer.answeredAt! - offer.sentAt).toBeLessThan(5000);
        expect(offer.response).toMatchObject({
          available: true,
          participantIdentity: `agent-${job.job.id}`,
          participantAttributes: { 'lk.agent.name': '' },
        });
        // The agent joined with the token LiveKit assigned, never one of its own.
        expect(agent.token).toBe(job.token);
        d.room(job.room)!.addParticipant(`user-${job.room}`);
      }
      // All three talk at the same time: each has been heard for 1.5 s, and each goes on.
      const heard = () => jobs.map(({ agent }) => loudMs(agent.capturedAudio()));
      const first = await d.agents.waitFor(
        () => (heard().every((ms) => ms >= 1500) ? heard() : null),
        'all three agents speaking',
        60_000,
      );
      await d.agents.waitFor(
        () => heard().every((ms, i) => ms > first[i]! + 500),
        'all three agents still speaking',
        30_000,
      );
      for (const { id, job } of jobs) {
        const started = await run.line('job started', (l) => l.job_id === id);
        expect(started).toMatchObject({ room: job.room, metadata: 'monologue' });
        const worker = d.agents.workers.find((w) => w.id === job.workerId)!;
        expect(worker.jobStatus(id)[0]?.status).toBe(JobStatus.JS_RUNNING);
      }
      // The rooms are deleted: each job ends, and says so.
      for (const r of rooms) d.deleteRoom(r);
      for (const { id } of jobs) {
        await run.line(
          'job ended',
          (l) => l.job_id === id && /ROOM_DELETED/.test(String(l.reason)),
        );
      }
      run.signal('SIGTERM');
      await exitsZero(run, 'the worker after SIGTERM');
    },
    LONG,
  );

  it(
    'reports its load and job count at least every 2.5 s, full at --max-jobs, and refuses a job then',
    async () => {
      const d = await startDouble(defer);
      const { run, worker } = await registered(defer, d, ['--max-jobs', '2']);
      await d.agents.waitFor(() => worker.updates.length >= 3, 'three status updates', 30_000);
      await d.createRoom('a');
      d.room('a')!.addParticipant('ann');
      await joinedJob(d, 'a');
      await d.agents.waitFor(
        () =>
          worker.updates.find((u) => u.jobCount === 1 && u.status === WorkerStatus.WS_AVAILABLE),
        'an update with one job, available',
      );
      await d.createRoom('b');
      d.room('b')!.addParticipant('bob');
      await joinedJob(d, 'b');
      const full = await d.agents.waitFor(
        () => worker.updates.find((u) => u.jobCount === 2 && u.status === WorkerStatus.WS_FULL),
        'an update with two jobs, full',
      );
      expect(full.load).toBe(1);
      // LiveKit offers nothing to a full worker; offered anyway, it refuses.
      const c = await d.createRoom('c');
      expect(d.agents.jobsIn('c')[0]?.outcome).toBe('no_worker');
      const forced = await d.agents.dispatch(c, { anyStatus: true });
      expect(forced.outcome).toBe('refused');
      expect(forced.offers[0]?.response?.available).toBe(false);
      await run.line('job refused', (l) => /--max-jobs 2/.test(String(l.reason)));
      // A job ends: one job, available again.
      d.room('a')!.participants.get('ann')!.leave();
      const afterEnd = worker.updates.length;
      await d.agents.waitFor(
        () =>
          worker.updates
            .slice(afterEnd)
            .find((u) => u.jobCount === 1 && u.status === WorkerStatus.WS_AVAILABLE),
        'an update with one job, available again',
      );
      // Never more than 2.5 s between two reports (plus slack for a busy machine's timers).
      const gaps = worker.updates.slice(1).map((u, i) => u.at - worker.updates[i]!.at);
      expect(Math.max(...gaps)).toBeLessThan(4000);
      run.signal('SIGTERM');
      d.room('b')!.participants.get('bob')!.leave();
      await exitsZero(run, 'the worker after SIGTERM');
    },
    LONG,
  );

  it(
    'termination ends the job gracefully: shutdown callbacks run, the agent leaves, JS_SUCCESS',
    async () => {
      const d = await startDouble(defer);
      const { run, worker } = await registered(defer, d);
      await d.createRoom('t', { agents: [{ metadata: 'to be terminated' }] });
      d.room('t')!.addParticipant('tess');
      const { id, agent } = await joinedJob(d, 't');
      const context = await run.line('job output', (l) => String(l.line).startsWith('job context'));
      expect(JSON.parse(String(context.line).slice('job context '.length))).toEqual({
        id,
        room: 't',
        metadata: 'to be terminated',
        identity: `agent-${id}`,
        participant: null,
        workerId: worker.id,
      });
      await run.event(
        'speech.done',
        id,
        (e) => e.type === 'speech.done' && e.fullText === GREETING,
      );
      d.agents.terminate(id);
      await run.line('job termination requested by the server', (l) => l.job_id === id);
      await run.line(
        'job output',
        (l) =>
          l.job_id === id && l.line === 'shutdown callback ran: terminated by the LiveKit server',
      );
      await agent.waitFor(() => agent.closed, 'the agent to leave the room', 30_000);
      await d.agents.waitFor(
        () => worker.jobStatus(id).find((u) => u.status === JobStatus.JS_SUCCESS),
        'JS_SUCCESS for the terminated job',
      );
      await run.line('job ended', (l) => l.job_id === id);
      // The agent ending its own job (ctx.job.shutdown()) ends it the same way.
      await d.createRoom('u', { agents: [{ metadata: 'bye' }] });
      d.room('u')!.addParticipant('ursula');
      const bye = await joinedJob(d, 'u');
      await bye.agent.waitFor(
        () => bye.agent.closed,
        'the agent to leave after its goodbye',
        30_000,
      );
      await run.line(
        'job output',
        (l) =>
          l.job_id === bye.id &&
          l.line === 'shutdown callback ran: the agent said all it had to say',
      );
      run.signal('SIGTERM');
      await exitsZero(run, 'the worker after SIGTERM');
    },
    LONG,
  );

  it(
    'SIGTERM drains: reports full, refuses new jobs, keeps the connection, exits 0 once the job ends',
    async () => {
      const d = await startDouble(defer);
      const { run, worker } = await registered(defer, d);
      await d.createRoom('d');
      const dana = d.room('d')!.addParticipant('dana');
      const { id } = await joinedJob(d, 'd');
      const port = await run.healthPort();
      run.signal('SIGTERM');
      await run.line('draining: no new jobs; waiting for the running ones');
      await d.agents.waitFor(() => worker.lastUpdate?.status === WorkerStatus.WS_FULL, 'WS_FULL');
      const e = await d.createRoom('e');
      const offered = await d.agents.dispatch(e, { anyStatus: true });
      expect(offered.offers[0]?.response?.available).toBe(false);
      await run.line('job refused', (l) => l.reason === 'the worker is draining');
      // Still registered, still serving the running job.
      expect(worker.connected).toBe(true);
      expect(await healthBecomes(port, 200)).toBe('OK (draining)\n');
      expect(run.exited).toBeNull();
      dana.leave();
      await d.agents.waitFor(
        () => worker.jobStatus(id).find((u) => u.status === JobStatus.JS_SUCCESS),
        'JS_SUCCESS once the user left',
      );
      await exitsZero(run, 'the drained worker');
      await run.line('drained: every job has ended');
    },
    LONG,
  );

  it(
    'the socket drops mid-job: the worker reconnects and re-registers, the job goes on and is still counted',
    async () => {
      const d = await startDouble(defer);
      const { run, worker } = await registered(defer, d);
      await d.createRoom('x');
      const xena = d.room('x')!.addParticipant('xena');
      const { id, agent } = await joinedJob(d, 'x');
      await run.event(
        'speech.done',
        id,
        (e) => e.type === 'speech.done' && e.fullText === GREETING,
      );
      d.agents.dropWorkers();
      await run.line('lost the connection to the LiveKit server; reconnecting');
      const again = await d.agents.waitFor(
        () => d.agents.connected.find((w) => w !== worker),
        'the worker registered again',
        30_000,
      );
      await d.agents.waitFor(
        () => again.updates.find((u) => u.jobCount === 1),
        'the new registration counting the running job',
      );
      // The job never noticed: its agent still answers in its room.
      xena.sendChat(HOURS_QUESTION);
      await run.event(
        'speech.done',
        id,
        (e) => e.type === 'speech.done' && e.fullText === HOURS_REPLY && e.reason === 'completed',
      );
      expect(agent.closed).toBe(false);
      xena.leave();
      await d.agents.waitFor(
        () => again.jobStatus(id).find((u) => u.status === JobStatus.JS_SUCCESS),
        'JS_SUCCESS on the new connection',
      );
      run.signal('SIGTERM');
      await exitsZero(run, 'the worker after SIGTERM');
    },
    LONG,
  );

  it(
    'explicit dispatch goes only to the named worker (API and token room configuration); automatic only to the unnamed one',
    async () => {
      const d = await startDouble(defer);
      const named = await registered(defer, d, ['--agent-name', 'alpha', '--idle-processes', '1']);
      const auto = await registered(defer, d, ['--idle-processes', '1']);
      expect(named.worker.agentName).toBe('alpha');
      // A new room: automatic dispatch, to the unnamed worker only.
      await d.createRoom('lobby');
      const lobby = await joinedJob(d, 'lobby');
      expect(lobby.job.workerId).toBe(auto.worker.id);
      expect(lobby.job.offers.map((o) => o.workerId)).toEqual([auto.worker.id]);
      // AgentDispatchService.CreateDispatch, as `lk dispatch create` or a backend calls it.
      const http = d.url.replace(/^ws/, 'http');
      const client = new AgentDispatchClient(http, d.apiKey, d.apiSecret);
      const dispatch = await client.createDispatch('vip', 'alpha', { metadata: 'gold' });
      expect(dispatch.agentName).toBe('alpha');
      const vip = await joinedJob(d, 'vip');
      expect(vip.job.workerId).toBe(named.worker.id);
      expect(vip.job.job.metadata).toBe('gold');
      await named.run.line('job started', (l) => l.job_id === vip.id && l.metadata === 'gold');
      // A user token whose room configuration names the agent: explicit, no automatic job.
      const at = new AccessToken(d.apiKey, d.apiSecret, { identity: 'carol' });
      at.addGrant({ roomJoin: true, room: 'support' });
      at.roomConfig = new RoomConfiguration({
        agents: [new RoomAgentDispatch({ agentName: 'alpha', metadata: 'from the token' })],
      });
      await d.joinWithToken(await at.toJwt());
      const support = await joinedJob(d, 'support');
      expect(support.job.workerId).toBe(named.worker.id);
      expect(d.agents.jobsIn('support')).toHaveLength(1);
      expect(
        d.agents.jobs.filter((j) => j.offers.some((o) => o.workerId === auto.worker.id)),
      ).toEqual([lobby.job]);
      for (const w of [named.run, auto.run]) w.signal('SIGTERM');
      for (const r of ['lobby', 'vip', 'support']) d.deleteRoom(r);
      await exitsZero(named.run, 'the named worker after SIGTERM');
      await exitsZero(auto.run, 'the automatic worker after SIGTERM');
    },
    LONG,
  );

  it(
    'the same agent module runs unchanged under connect (no job context there)',
    async () => {
      const d = await startDouble(defer, { rooms: ['plain'] });
      const pat = d.room('plain')!.addParticipant('pat');
      const run = runCli(
        defer,
        ['connect', 'plain', fixture('worker-agent.ts'), '--log-level', 'debug'],
        roomEnv(d),
      );
      const agent = await d.waitForSession('voxagent', 30_000);
      await agent.waitFor(() => loudMs(agent.capturedAudio()) >= 1000, 'the greeting', 30_000);
      pat.leave();
      const exit = await exitWithin(run, 30_000, 'connect after the participant left');
      expect(exit.code, describeRun(run)).toBe(0);
      expect(run.stdout()).not.toContain('job context');
    },
    LONG,
  );

  it(
    'the example worker agent (examples/worker/agents/support.ts) uses its dispatch metadata and shutdown callback',
    async () => {
      const d = await startDouble(defer);
      const run = startWorker(
        defer,
        d,
        ['--agent-name', 'support'],
        `${ROOT}examples/worker/agents/support.ts`,
      );
      await run.line('registered with the LiveKit server');
      const job = await d.createDispatch('help', 'support', '{"customer":"Ada"}');
      expect(job.outcome).toBe('assigned');
      await run.event(
        'speech.created',
        job.job.id,
        (e) => e.type === 'speech.created' && e.text === 'Hello Ada, how can I help you today?',
      );
      d.deleteRoom('help');
      await run.line(
        'job output',
        (l) => l.line === 'support call in help ended: the room connection ended (ROOM_DELETED)',
      );
      run.signal('SIGTERM');
      await exitsZero(run, 'the worker after SIGTERM');
    },
    LONG,
  );
});
