/**
 * `voxagent connect` end to end: the built CLI in a child process (real @livekit/rtc-node)
 * against the loopback LiveKit double. What is checked is what a user in the room hears (the
 * audio the double decodes), the exit code and the one line on stderr; the session's events
 * come from the command's own log (`--log-level debug`) and its `--record` file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Pcm, tone } from '../livekit/double/media.js';
import { LiveKitDouble } from '../livekit/double/server.js';
import {
  BUILT,
  type CliRun,
  type Defer,
  describeRun,
  exitWithin,
  fixture,
  logged,
  logLine,
  loudMs,
  loudRms,
  runCli,
  settledLoudMs,
  speechWav,
  stderrLines,
  tempDir,
} from './fixtures/connect-harness.js';
import {
  GREETING,
  GREETING_MS,
  HOURS_QUESTION,
  HOURS_REPLY,
  HOURS_REPLY_MS,
  MONOLOGUE_MS,
} from './fixtures/script.js';

const ROOM = 'e2e-room';
const NO_BUILD = 'dist/ is missing: run `npm run build` first (these tests run the built CLI)';
const SKIP = !BUILT && process.env.CI !== 'true';
if (SKIP) console.warn(`test/e2e/connect-command.test.ts skipped: ${NO_BUILD}`);

async function startDouble(defer: Defer): Promise<LiveKitDouble> {
  const d = await LiveKitDouble.start({ rooms: [ROOM] });
  defer(() => d.stop());
  return d;
}

const roomEnv = (d: LiveKitDouble) => ({
  LIVEKIT_URL: d.url,
  LIVEKIT_API_KEY: d.apiKey,
  LIVEKIT_API_SECRET: d.apiSecret,
});

/** `voxagent connect e2e-room <fixture agent> --log-level debug` against the double. */
function connect(defer: Defer, d: LiveKitDouble, agent = 'greeter.ts', extra: string[] = []) {
  const args = ['connect', ROOM, fixture(agent), '--log-level', 'debug', ...extra];
  return runCli(defer, args, roomEnv(d));
}

function expectWithin10Percent(actual: number, expected: number): void {
  const what = `${actual} ms of audio, expected ${expected} ms ± 10 %`;
  expect(actual, what).toBeGreaterThanOrEqual(expected * 0.9);
  expect(actual, what).toBeLessThanOrEqual(expected * 1.1);
}

/** Our own lines on stderr (React's warnings left aside), and no stack trace at all. */
function voxagentLines(run: CliRun): string[] {
  expect(run.stderr()).not.toMatch(/^\s+at /m);
  return stderrLines(run).filter((l) => l.startsWith('voxagent:'));
}

async function exitsZero(run: CliRun): Promise<void> {
  const exit = await exitWithin(run, 15_000, 'the command after the participant left');
  expect(exit.code, describeRun(run)).toBe(0);
  expect(voxagentLines(run)).toEqual([]);
}

/** A microphone that is on but quiet: it gets linked, yet the VAD hears no speech. */
const quietMic = (): Pcm => tone(20_000, 48_000, 200, 200);

describe.skipIf(SKIP)('voxagent connect against the LiveKit double', () => {
  const later: (() => Promise<void> | void)[] = [];
  const defer: Defer = (fn) => later.push(fn);
  afterEach(async () => {
    for (const fn of later.splice(0).reverse()) await fn();
  });
  // A caller's voice for the VAD: espeak-ng speech, made once for the suite.
  let speechDir = '';
  let speech = '';
  beforeAll(() => {
    if (!BUILT) throw new Error(NO_BUILD);
    speechDir = mkdtempSync(join(tmpdir(), 'voxagent-e2e-speech-'));
    speech = join(speechDir, 'excuse-me.wav');
    speechWav('Excuse me, can I ask you something?', speech);
  });
  afterAll(() => {
    if (speechDir) rmSync(speechDir, { recursive: true, force: true });
  });

  it('speaks its greeting into the room: non-silent audio of the scripted length', async () => {
    const d = await startDouble(defer);
    const alice = d.addParticipant('alice');
    const record = join(tempDir(defer), 'greeting.yaml');
    const run = connect(defer, d, 'greeter.ts', ['--record', record]);
    const agent = await d.waitForSession('voxagent', 15_000);
    const done = await logged(run, 'speech.done', (e) => e.fullText === GREETING);
    expect(done.reason).toBe('completed');
    alice.leave();
    await exitsZero(run);
    const pcm = agent.capturedAudio();
    expectWithin10Percent(loudMs(pcm), GREETING_MS);
    expect(loudRms(pcm!)).toBeGreaterThan(0.1);
    // --record wrote the session file at exit, with the line and its audio length.
    const yaml = readFileSync(record, 'utf8');
    // A session file names its agent relative to itself.
    expect(yaml).toContain(`agent: ${relative(dirname(record), fixture('greeter.ts'))}`);
    expect(yaml).toContain(`${GREETING}: ${GREETING_MS}ms`);
  });

  it('lk.chat text becomes a user turn and the reply is heard (and transcribed)', async () => {
    const d = await startDouble(defer);
    const alice = d.addParticipant('alice');
    const run = connect(defer, d);
    const agent = await d.waitForSession('voxagent', 15_000);
    await logged(run, 'speech.done', (e) => e.fullText === GREETING);
    const greetingMs = await settledLoudMs(agent);
    alice.sendChat(HOURS_QUESTION);
    const turn = await logged(run, 'user.turn', (e) => e.text === HOURS_QUESTION);
    expect(turn.source).toBe('text');
    const reply = await logged(run, 'speech.done', (e) => e.fullText === HOURS_REPLY);
    expect(reply.reason).toBe('completed');
    expectWithin10Percent((await settledLoudMs(agent)) - greetingMs, HOURS_REPLY_MS);
    await agent.waitFor(
      () =>
        agent.texts.find(
          (t) =>
            t.topic === 'lk.transcription' &&
            t.from === 'voxagent' &&
            t.text === HOURS_REPLY &&
            t.attributes['lk.transcription_final'] === 'true',
        ),
      'the final transcription of the reply',
    );
    alice.leave();
    await exitsZero(run);
  });

  it("a participant's speech trips the VAD and cuts the agent's speech short", async () => {
    const d = await startDouble(defer);
    const bob = d.addParticipant('bob');
    const run = connect(defer, d, 'long-talker.ts');
    const agent = await d.waitForSession('voxagent', 15_000);
    await agent.waitFor(() => loudMs(agent.capturedAudio()) >= 1000, 'the monologue', 15_000);
    void bob.publishAudio(speech);
    await logged(run, 'user.speech_started');
    const cut = await logged(run, 'speech.interrupted', (e) => e.by === 'user_speech');
    const done = await logged(run, 'speech.done', (e) => e.speechId === cut.speechId);
    expect(done.reason).toBe('interrupted');
    bob.leave();
    await exitsZero(run);
    const heard = loudMs(agent.capturedAudio());
    // About 1 s before bob spoke, then VAD onset and the 0.5 s minimum interruption.
    expect(heard).toBeGreaterThanOrEqual(1000);
    expect(heard).toBeLessThan(MONOLOGUE_MS * 0.5);
    expect(Math.abs(heard - done.playedMs)).toBeLessThan(300);
  });

  it('picks up a participant who joins after the agent: her speech and chat reach it', async () => {
    const d = await startDouble(defer);
    const run = connect(defer, d);
    const agent = await d.waitForSession('voxagent', 15_000);
    await logged(run, 'speech.done', (e) => e.fullText === GREETING);
    const carol = d.addParticipant('carol');
    void carol.publishAudio(speech);
    await logLine(run, /^info +listening to carol$/);
    await logged(run, 'user.speech_started');
    // A reply while she still talks would be talked over (and cut): wait until she stops.
    await logged(run, 'user.speech_ended');
    carol.sendChat(HOURS_QUESTION);
    const reply = await logged(run, 'speech.done', (e) => e.fullText === HOURS_REPLY);
    expect(reply.reason).toBe('completed');
    carol.leave();
    await exitsZero(run);
    expectWithin10Percent(loudMs(agent.capturedAudio()), GREETING_MS + HOURS_REPLY_MS);
  });

  it('the participant it listens to leaving ends the session: exit 0', async () => {
    const d = await startDouble(defer);
    const dave = d.addParticipant('dave');
    void dave.publishAudio(quietMic());
    const run = connect(defer, d);
    await logLine(run, /^info +listening to dave$/);
    await logged(run, 'speech.done', (e) => e.fullText === GREETING);
    dave.leave();
    // exitsZero bounds the time: it ends because dave left, not on a timeout.
    await exitsZero(run);
    expect(run.events().at(-1)?.type).toBe('session.closed');
  });

  it('a dropped connection comes back: the agent rejoins and still answers', async () => {
    const d = await startDouble(defer);
    const erin = d.addParticipant('erin');
    const run = connect(defer, d);
    const first = await d.waitForSession('voxagent', 15_000);
    await logged(run, 'speech.done', (e) => e.fullText === GREETING);
    d.drop();
    await logLine(run, /^warn +lost the room connection( \(.*\))?: reconnecting$/);
    const again = await d.waitForSession('voxagent', 15_000);
    expect(again).not.toBe(first);
    await logLine(run, /^info +reconnected to room e2e-room$/);
    expect(run.exited).toBeNull();
    erin.sendChat(HOURS_QUESTION);
    await logged(run, 'speech.done', (e) => e.fullText === HOURS_REPLY && e.reason === 'completed');
    expectWithin10Percent(await settledLoudMs(again), HOURS_REPLY_MS);
    erin.leave();
    await exitsZero(run);
  });

  it('uses the offline demo models of the agent module when no API key is set', async () => {
    const d = await startDouble(defer);
    const gus = d.addParticipant('gus');
    const run = connect(defer, d);
    const started = await logged(run, 'session.started');
    gus.leave();
    await exitsZero(run);
    expect(started.models).toMatchObject({ llm: 'e2e scripted', tts: 'e2e tone' });
  });

  it('runs headless (stdin not a TTY): its last frame on stdout, nothing on stderr', async () => {
    const d = await startDouble(defer);
    const hal = d.addParticipant('hal');
    const run = connect(defer, d);
    await logged(run, 'speech.done', (e) => e.fullText === GREETING);
    hal.leave();
    await exitsZero(run);
    expect(run.stdout()).not.toMatch(/ERROR|Raw mode/);
    expect(run.stdout()).toContain('voxagent connect');
    expect(run.stdout()).not.toContain('"name":"lk-rtc"');
    expect(run.stderr()).toBe('');
  });
});

// The lost-server case waits out the adapter's 15 s reconnect bound: it runs alongside the
// bad-input cases, which run one after another (their time bounds mean little on a busy CPU).
describe.skipIf(SKIP)('voxagent connect: faults', () => {
  beforeAll(() => {
    if (!BUILT) throw new Error(NO_BUILD);
  });

  it.concurrent('a dropped connection that cannot come back: one line and exit 1, bounded', async ({
    onTestFinished,
  }) => {
    const d = await startDouble(onTestFinished);
    d.addParticipant('fay');
    const run = connect(onTestFinished, d);
    await logged(run, 'speech.done', (e) => e.fullText === GREETING);
    const dropped = Date.now();
    d.drop({ refuseReconnect: true });
    const exit = await exitWithin(run, 45_000, 'the command after the server went away');
    expect(exit.code).toBe(1);
    // The adapter gives up after its 15 s reconnect bound, or rtc-node gives up first after
    // its own attempts (their backoff is random): either way one line, no hang. The bound
    // leaves room for a busy machine (the process's own exit takes seconds there).
    expect(Date.now() - dropped).toBeLessThan(35_000);
    const lines = voxagentLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^voxagent: lost the connection to the LiveKit server at ${d.url} and could not reconnect (within 15 s|\\(gave up after \\d+ s: \\w+\\))$`,
      ),
    );
  }, 70_000);

  describe.concurrent('bad input', () => {
    /** Runs the command expecting it to fail fast with one clear line; returns that line. */
    async function refused(defer: Defer, args: string[], env: Record<string, string>) {
      const run = runCli(defer, args, env);
      // Fast means: it does not wait out the 5 s join bound (the line names the cause, not a
      // timeout). The wall-clock bound only catches a hang: Node's own start takes seconds on
      // a busy machine.
      const exit = await exitWithin(run, 30_000, 'a command that should fail fast');
      expect(exit.code, describeRun(run)).not.toBe(0);
      expect(exit.code).not.toBeNull();
      const lines = stderrLines(run);
      expect(lines, run.stderr()).toHaveLength(1);
      expect(lines[0]).toMatch(/^voxagent: /);
      expect(lines[0]).not.toMatch(/within \d+ s/);
      // Nothing else: it fails before drawing a screen, and rtc-node printed no JSON line.
      expect(run.stdout()).toBe('');
      return lines[0]!;
    }

    const agentArgs = (room = ROOM) => ['connect', room, fixture('greeter.ts')];
    const KEYS = {
      LIVEKIT_API_KEY: 'devkey',
      LIVEKIT_API_SECRET: 'secret-for-no-server-0123456789',
    };

    it.sequential('a wrong API secret is refused with one line naming the key and secret settings', async ({
      onTestFinished,
    }) => {
      const d = await startDouble(onTestFinished);
      const secret = 'not-the-secret-of-this-server';
      const line = await refused(
        onTestFinished,
        [...agentArgs(), '--api-secret', secret],
        roomEnv(d),
      );
      expect(line).toMatch(/refused the access token \(401/);
      expect(line).toMatch(/LIVEKIT_API_SECRET/);
      expect(line).not.toContain(secret);
      expect(d.sessions).toHaveLength(0);
    });

    it.sequential('a token for another room is refused with one line naming the room', async ({
      onTestFinished,
    }) => {
      const d = await startDouble(onTestFinished);
      const line = await refused(onTestFinished, agentArgs('another-room'), roomEnv(d));
      expect(line).toMatch(/room "another-room" does not exist on the LiveKit server at ws:/);
      expect(line).not.toContain(d.apiSecret);
    });

    it.sequential('no server at the URL: one line naming the URL', async ({ onTestFinished }) => {
      const url = await closedPort();
      const line = await refused(onTestFinished, agentArgs(), { ...KEYS, LIVEKIT_URL: url });
      expect(line).toBe(
        `voxagent: no LiveKit server at ${url} (connection refused): start one (livekit-server --dev) or check --url / LIVEKIT_URL`,
      );
    });

    it.sequential('a URL that is not a LiveKit server: one line saying so', async ({
      onTestFinished,
    }) => {
      const server = createHttpServer((_req, res) => res.writeHead(200).end('<html>hi</html>'));
      const url = await listen(server, onTestFinished);
      const line = await refused(onTestFinished, agentArgs(), { ...KEYS, LIVEKIT_URL: url });
      expect(line.startsWith(`voxagent: ${url} does not look like a LiveKit server`)).toBe(true);
      expect(line).toMatch(/check --url \/ LIVEKIT_URL$/);
    });

    it.sequential('missing settings: one line naming every flag and variable', async ({
      onTestFinished,
    }) => {
      const line = await refused(onTestFinished, agentArgs(), {});
      expect(line).toMatch(
        /^voxagent: missing LiveKit settings: --url \(or LIVEKIT_URL\), --api-key \(or LIVEKIT_API_KEY\), --api-secret \(or LIVEKIT_API_SECRET\)/,
      );
    });

    it.sequential('a URL without a scheme: one line saying how to write it', async ({
      onTestFinished,
    }) => {
      const line = await refused(onTestFinished, [...agentArgs(), '--url', 'localhost:7880'], KEYS);
      expect(line).toMatch(/must start with ws:\/\/, wss:\/\/, http:\/\/ or https:\/\//);
    });
  });
});

async function listen(server: Server | ReturnType<typeof createHttpServer>, defer: Defer) {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  defer(() => new Promise<void>((r) => server.close(() => r())));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port that was free a moment ago: nothing listens there. */
async function closedPort(): Promise<string> {
  const tcp = createTcpServer();
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(tcp.address() as AddressInfo).port}`;
  await new Promise<void>((r) => tcp.close(() => r()));
  return url;
}
