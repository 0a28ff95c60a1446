/**
 * `voxagent start` end to end, the life of jobs: termination and `ctx.job.shutdown()`,
 * draining on SIGTERM, a dropped connection to LiveKit, explicit versus automatic dispatch,
 * and the same agent module under `connect`. The built CLI against the LiveKit double with
 * the real @livekit/rtc-node client; every wait is on an observable condition.
 */
import { type AddressInfo, connect, createServer as createTcpServer } from 'node:net';
import { JobStatus, WorkerStatus } from '@livekit/protocol';
import {
  AccessToken,
  AgentDispatchClient,
  RoomAgentDispatch,
  RoomConfiguration,
} from 'livekit-server-sdk';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
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
  createRoomWhenAvailable,
  exitsZero,
  healthBecomes,
  joinedJob,
  registered,
  roomEnv,
  startDouble,
  startWorker,
} from './fixtures/worker-harness.js';

const NO_BUILD = 'dist/ is missing: run `npm run build` first (these tests run the built CLI)';
const SKIP = !BUILT && process.env.CI !== 'true';
if (SKIP) console.warn(`test/e2e/worker-jobs.test.ts skipped: ${NO_BUILD}`);
const LONG = 120_000;

describe.skipIf(SKIP)('voxagent start: the life of jobs', () => {
  const later: (() => Promise<void> | void)[] = [];
  const defer: Defer = (fn) => later.push(fn);
  afterEach(async () => {
    for (const fn of later.splice(0).reverse()) await fn();
  });
  beforeAll(() => {
    if (!BUILT) throw new Error(NO_BUILD);
  });

  it(
    'termination ends the job gracefully: shutdown callbacks run, the agent leaves, JS_SUCCESS',
    async () => {
      const d = await startDouble(defer);
      const { run, worker } = await registered(defer, d);
      // The assignment names where to join (LiveKit Cloud may): a relay in front of the double.
      const relay = await tcpRelay(defer, d.url);
      d.assignmentUrl = relay.url;
      await createRoomWhenAvailable(d, 't', { agents: [{ metadata: 'to be terminated' }] });
      d.room('t')!.addParticipant('tess');
      const { id, agent } = await joinedJob(d, 't');
      expect(relay.connections()).toBeGreaterThan(0);
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
      await createRoomWhenAvailable(d, 'u', { agents: [{ metadata: 'bye' }] });
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
      await createRoomWhenAvailable(d, 'd');
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
      await createRoomWhenAvailable(d, 'x');
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
      await createRoomWhenAvailable(d, 'lobby');
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

/** A TCP relay to the double's port: joins at its URL reach the double, and are counted. */
async function tcpRelay(defer: Defer, target: string) {
  const port = Number(new URL(target).port);
  let count = 0;
  const server = createTcpServer((client) => {
    count++;
    const upstream = connect(port, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  defer(() => new Promise<void>((r) => server.close(() => r())));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => count,
  };
}
