/**
 * `voxagent start` end to end, registration and dispatch: the built CLI in a child process
 * registers with the LiveKit double's `/agent` service, and its jobs join the double's rooms
 * with the real @livekit/rtc-node client. What is checked is what LiveKit would see
 * (protocol messages, tokens, the agents' audio) and what the worker logs (JSON lines on
 * stdout). Every wait is on an observable condition with a generous bound: the machine may
 * be very busy.
 */
import { readFileSync } from 'node:fs';
import { JobStatus, JobType, WorkerStatus } from '@livekit/protocol';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobRecord } from '../livekit/double/server.js';
import { BUILT, type Defer, loudMs, ROOT } from './fixtures/connect-harness.js';
import {
  createRoomWhenAvailable,
  exitsZero,
  getHealth,
  healthBecomes,
  joinedJob,
  registered,
  startDouble,
  startWorker,
} from './fixtures/worker-harness.js';

const NO_BUILD = 'dist/ is missing: run `npm run build` first (these tests run the built CLI)';
const SKIP = !BUILT && process.env.CI !== 'true';
if (SKIP) console.warn(`test/e2e/worker-start.test.ts skipped: ${NO_BUILD}`);
const VERSION = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string })
  .version;
const LONG = 120_000;

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
      await Promise.all(
        rooms.map((r) => createRoomWhenAvailable(d, r, { agents: [{ metadata: 'monologue' }] })),
      );
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
      // Load by job slots alone: at --load-threshold 1 the CPU share (its own processes'),
      // which a loaded machine can push past 0.7, does not make it full before --max-jobs.
      const { run, worker } = await registered(defer, d, [
        '--max-jobs',
        '2',
        '--load-threshold',
        '1',
      ]);
      await d.agents.waitFor(() => worker.updates.length >= 3, 'three status updates', 30_000);
      await createRoomWhenAvailable(d, 'a');
      d.room('a')!.addParticipant('ann');
      await joinedJob(d, 'a');
      await d.agents.waitFor(
        () =>
          worker.updates.find((u) => u.jobCount === 1 && u.status === WorkerStatus.WS_AVAILABLE),
        'an update with one job, available',
      );
      await createRoomWhenAvailable(d, 'b');
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
      expect(Math.max(...gaps)).toBeLessThan(5000);
      run.signal('SIGTERM');
      d.room('b')!.participants.get('bob')!.leave();
      await exitsZero(run, 'the worker after SIGTERM');
    },
    LONG,
  );
});
