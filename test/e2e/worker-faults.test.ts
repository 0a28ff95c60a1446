/**
 * `voxagent start` when things go wrong: a job that throws, one that blocks its event loop
 * and one whose memory runs away, while another job keeps talking; the drain timeout and a
 * second signal; and every bad setting, which must end the command with one line on stderr,
 * a non-zero exit and no stack trace. The built CLI against the LiveKit double.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { JobStatus } from '@livekit/protocol';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { LiveKitDouble } from '../livekit/double/server.js';
import { eventually } from '../livekit/helpers.js';
import {
  BUILT,
  type Defer,
  describeRun,
  exitWithin,
  fixture,
  runCli,
  stderrLines,
} from './fixtures/connect-harness.js';
import { GREETING, HOURS_QUESTION, HOURS_REPLY } from './fixtures/script.js';
import {
  createRoomWhenAvailable,
  describeWorker,
  roomEnv,
  startDouble,
  startWorker,
  type WorkerRun,
} from './fixtures/worker-harness.js';

const NO_BUILD = 'dist/ is missing: run `npm run build` first (these tests run the built CLI)';
const SKIP = !BUILT && process.env.CI !== 'true';
if (SKIP) console.warn(`test/e2e/worker-faults.test.ts skipped: ${NO_BUILD}`);
const LONG = 150_000;

async function jobOf(d: LiveKitDouble, room: string) {
  const job = await d.agents.waitFor(
    () => d.agents.jobsIn(room).find((j) => j.outcome === 'assigned'),
    `a job assigned for ${room}`,
  );
  return job.job.id;
}

async function failedWith(d: LiveKitDouble, jobId: string): Promise<string> {
  const update = await d.agents.waitFor(
    () =>
      d.agents.workers
        .flatMap((w) => w.jobStatus(jobId))
        .find((u) => u.status === JobStatus.JS_FAILED),
    `JS_FAILED for ${jobId}`,
    60_000,
  );
  return update.error;
}

async function registered(defer: Defer, d: LiveKitDouble, extra: string[]): Promise<WorkerRun> {
  const run = startWorker(defer, d, extra);
  await run.line('registered with the LiveKit server');
  return run;
}

describe.skipIf(SKIP)('voxagent start: faults', () => {
  const later: (() => Promise<void> | void)[] = [];
  const defer: Defer = (fn) => later.push(fn);
  afterEach(async () => {
    for (const fn of later.splice(0).reverse()) await fn();
  });
  beforeAll(() => {
    if (!BUILT) throw new Error(NO_BUILD);
  });

  it(
    'a job that throws, one that hangs and one whose memory runs away each fail alone; another job keeps talking and new jobs still start',
    async () => {
      const d = await startDouble(defer);
      const run = await registered(defer, d, [
        '--job-unresponsive-timeout',
        '5s',
        '--job-memory-limit',
        '400',
        '--idle-processes',
        '3',
      ]);
      await createRoomWhenAvailable(d, 'calm');
      const cal = d.room('calm')!.addParticipant('cal');
      const calm = await jobOf(d, 'calm');
      await run.event(
        'speech.done',
        calm,
        (e) => e.type === 'speech.done' && e.fullText === GREETING,
      );
      await Promise.all(
        ['throw', 'hang', 'leak'].map((m) =>
          createRoomWhenAvailable(d, m, { agents: [{ metadata: m }] }),
        ),
      );
      const [thrower, hanger, leaker] = await Promise.all(
        ['throw', 'hang', 'leak'].map((r) => jobOf(d, r)),
      );
      expect(await failedWith(d, thrower!)).toBe('this agent refuses the room');
      await run.line(
        'job failed',
        (l) => l.job_id === thrower && l.error === 'this agent refuses the room',
      );
      expect(await failedWith(d, leaker!)).toMatch(/memory|MB/);
      expect(await failedWith(d, hanger!)).toMatch(/stopped responding for \d+ s/);
      // The calm job never noticed: it still answers.
      cal.sendChat(HOURS_QUESTION);
      await run.event(
        'speech.done',
        calm,
        (e) => e.type === 'speech.done' && e.fullText === HOURS_REPLY && e.reason === 'completed',
      );
      // And the worker still takes jobs.
      await createRoomWhenAvailable(d, 'after');
      const after = await jobOf(d, 'after');
      const agent = await d.waitForSession(`agent-${after}`, 30_000);
      expect(agent.closed).toBe(false);
      run.signal('SIGTERM');
      d.deleteRoom('calm');
      d.deleteRoom('after');
      const exit = await exitWithin(run, 60_000, 'the worker after SIGTERM');
      expect(exit.code, describeWorker(run)).toBe(0);
    },
    LONG,
  );

  it(
    'a worker killed outright leaves no job process behind, not even one whose event loop is blocked',
    async () => {
      const d = await startDouble(defer);
      const run = await registered(defer, d, ['--idle-processes', '1']);
      await createRoomWhenAvailable(d, 'stuck', { agents: [{ metadata: 'hang' }] });
      const id = await jobOf(d, 'stuck');
      const joined = await run.line('job joined the room', (l) => l.job_id === id);
      const pid = Number(joined.pid);
      await run.line(
        'job output',
        (l) => l.job_id === id && String(l.line).startsWith('job context'),
      );
      run.signal('SIGKILL');
      await exitWithin(run, 10_000, 'the worker after SIGKILL');
      await eventually(() => !alive(pid), `job process ${pid} to go away`, 15_000);
    },
    LONG,
  );

  it(
    'the drain timeout ends the jobs still running, gracefully, then exit 0',
    async () => {
      const d = await startDouble(defer);
      const run = await registered(defer, d, ['--drain-timeout', '2s', '--idle-processes', '1']);
      await createRoomWhenAvailable(d, 'stay');
      d.room('stay')!.addParticipant('stan');
      const id = await jobOf(d, 'stay');
      await d.waitForSession(`agent-${id}`, 30_000);
      run.signal('SIGTERM');
      await run.line('drain timeout: ending the jobs still running');
      await run.line(
        'job output',
        (l) => l.line === 'shutdown callback ran: the worker is shutting down (drain timeout)',
      );
      const exit = await exitWithin(run, 60_000, 'the worker after its drain timeout');
      expect(exit.code, describeWorker(run)).toBe(0);
    },
    LONG,
  );

  it(
    'a second signal stops at once: jobs killed and reported failed, exit 143',
    async () => {
      const d = await startDouble(defer);
      const run = await registered(defer, d, ['--idle-processes', '1']);
      await createRoomWhenAvailable(d, 'now');
      d.room('now')!.addParticipant('nora');
      const id = await jobOf(d, 'now');
      await d.waitForSession(`agent-${id}`, 30_000);
      run.signal('SIGTERM');
      await run.line('draining: no new jobs; waiting for the running ones');
      run.signal('SIGTERM');
      const exit = await exitWithin(run, 10_000, 'the worker after a second SIGTERM');
      expect(exit.code).toBe(143);
      expect(await failedWith(d, id)).toMatch(/stopped \(SIGTERM\)/);
    },
    LONG,
  );

  describe.concurrent('bad settings: one line, non-zero exit, no stack trace', () => {
    /** Runs `voxagent start …` expecting one clear line on stderr; returns it. */
    async function refused(defer: Defer, args: string[], env: Record<string, string>) {
      const run = runCli(defer, ['start', fixture('worker-agent.ts'), ...args], env);
      const exit = await exitWithin(run, 20_000, 'a start that should fail fast');
      expect(exit.code, describeRun(run)).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(exit.ms).toBeLessThan(10_000);
      expect(run.stderr()).not.toMatch(/^\s+at /m);
      const lines = stderrLines(run);
      expect(lines, run.stderr()).toHaveLength(1);
      return lines[0]!;
    }
    const KEYS = {
      LIVEKIT_API_KEY: 'devkey',
      LIVEKIT_API_SECRET: 'a-secret-nobody-uses-0123456789',
    };
    const port0 = ['--health-port', '0'];

    it.sequential('missing settings name every flag and variable', async ({ onTestFinished }) => {
      const line = await refused(onTestFinished, port0, {});
      expect(line).toMatch(
        /^voxagent: missing LiveKit settings: --url \(or LIVEKIT_URL\), --api-key \(or LIVEKIT_API_KEY\), --api-secret \(or LIVEKIT_API_SECRET\)/,
      );
    });

    it.sequential('a wrong secret: the server refuses the credentials', async ({
      onTestFinished,
    }) => {
      const d = await startDouble(onTestFinished);
      const env = { ...roomEnv(d), LIVEKIT_API_SECRET: 'not-the-secret-of-this-server' };
      const line = await refused(onTestFinished, port0, env);
      expect(line).toMatch(
        /^voxagent: the LiveKit server at ws:\S+ refused the worker's credentials \(401: .*\): check LIVEKIT_API_KEY \/ LIVEKIT_API_SECRET/,
      );
      expect(line).not.toContain('not-the-secret-of-this-server');
      expect(d.agents.workers).toHaveLength(0);
    });

    it.sequential('no server at the URL', async ({ onTestFinished }) => {
      const url = await closedPort();
      const line = await refused(onTestFinished, port0, { ...KEYS, LIVEKIT_URL: url });
      expect(line).toBe(
        `voxagent: no LiveKit server at ${url} (connection refused): start one (livekit-server --dev) or check --url / LIVEKIT_URL`,
      );
    });

    it.sequential('a URL that is not a LiveKit server', async ({ onTestFinished }) => {
      const server = createHttpServer((_req, res) => res.writeHead(200).end('<html>hi</html>'));
      const url = await listen(server, onTestFinished);
      const line = await refused(onTestFinished, port0, { ...KEYS, LIVEKIT_URL: url });
      expect(line).toMatch(/does not look like a LiveKit server.*check --url \/ LIVEKIT_URL$/);
    });

    it.sequential('a server that never answers the registration', async ({ onTestFinished }) => {
      const server = createHttpServer();
      const wss = new WebSocketServer({ server });
      onTestFinished(() => wss.close());
      const url = await listen(server, onTestFinished);
      const line = await refused(onTestFinished, port0, { ...KEYS, LIVEKIT_URL: url });
      expect(line).toMatch(/did not answer its registration within 5 s/);
    });

    const badFlags: [string, string[], RegExp][] = [
      [
        '--load-threshold 1.5',
        ['--load-threshold', '1.5'],
        /--load-threshold must be a number above 0 and at most 1/,
      ],
      [
        '--max-jobs 0',
        ['--max-jobs', '0'],
        /--max-jobs must be a whole number, 1 or more \(got "0"\)/,
      ],
      ['--drain-timeout soon', ['--drain-timeout', 'soon'], /--drain-timeout must be a duration/],
      [
        '--health-port 70000',
        ['--health-port', '70000'],
        /--health-port must be a whole number, 0 to 65535/,
      ],
      ['--idle-processes x', ['--idle-processes', 'x'], /--idle-processes must be a whole number/],
      [
        '--log-format xml',
        ['--log-format', 'xml'],
        /option '--log-format <format>' argument 'xml' is invalid/,
      ],
    ];
    for (const [what, args, message] of badFlags) {
      it.sequential(what, async ({ onTestFinished }) => {
        const env = { ...KEYS, LIVEKIT_URL: 'ws://127.0.0.1:9' };
        expect(await refused(onTestFinished, [...port0, ...args], env)).toMatch(message);
      });
    }

    it.sequential('a health port already in use', async ({ onTestFinished }) => {
      const tcp = createTcpServer();
      await new Promise<void>((resolve) => tcp.listen(0, '0.0.0.0', resolve));
      onTestFinished(() => new Promise<void>((r) => tcp.close(() => r())));
      const port = String((tcp.address() as AddressInfo).port);
      const d = await startDouble(onTestFinished);
      const line = await refused(onTestFinished, ['--health-port', port], roomEnv(d));
      expect(line).toBe(
        `voxagent: --health-port ${port} is already in use: choose another port (0 picks a free one)`,
      );
    });

    it.sequential('an agent whose models cannot be chosen (no key, no demo model)', async ({
      onTestFinished,
    }) => {
      const d = await startDouble(onTestFinished);
      const run = runCli(onTestFinished, ['start', fixture('no-models.ts'), ...port0], roomEnv(d));
      const exit = await exitWithin(run, 30_000, 'start with an agent that has no models');
      expect(exit.code).toBe(2);
      expect(run.stderr()).not.toMatch(/^\s+at /m);
      expect(stderrLines(run)).toEqual([
        expect.stringMatching(
          /^voxagent: this agent has no offline demo model: export OPENAI_API_KEY/,
        ),
      ]);
    });

    it.sequential('an agent file that does not exist', async ({ onTestFinished }) => {
      const env = { ...KEYS, LIVEKIT_URL: 'ws://127.0.0.1:9' };
      const run = runCli(onTestFinished, ['start', 'nope/agent.ts', ...port0], env);
      const exit = await exitWithin(run, 20_000, 'start with a missing agent');
      expect(exit.code).toBe(2);
      expect(stderrLines(run)).toEqual(['voxagent: agent file not found: nope/agent.ts']);
    });
  });
});

/** A process that exists and is not a zombie (an orphan waits for init to reap it). */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

async function listen(server: ReturnType<typeof createHttpServer>, defer: Defer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  defer(() => new Promise<void>((r) => server.close(() => r())));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closedPort(): Promise<string> {
  const tcp = createTcpServer();
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(tcp.address() as AddressInfo).port}`;
  await new Promise<void>((r) => tcp.close(() => r()));
  return url;
}
