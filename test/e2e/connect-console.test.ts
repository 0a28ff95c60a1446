/**
 * `voxagent connect` with its console in a real terminal (tmux), against the LiveKit double:
 * the mic meter shows the participant's voice, `m` stops the agent hearing it (and unmuting
 * brings it back), and a server that hangs shows as lost within seconds, then connected
 * again when it answers. Each run logs under its own TMPDIR, where the test reads the log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/runtime/events/types.js';
import { startDoubleProcess } from '../livekit/double/process.js';
import { LiveKitDouble } from '../livekit/double/server.js';
import { eventually } from '../livekit/helpers.js';
import {
  BUILT,
  fixture,
  parseEvent,
  ROOT,
  readLogLines,
  speechWav,
} from './fixtures/connect-harness.js';
import { GREETING } from './fixtures/script.js';
import { TmuxProcess, terminalAvailable } from './tmux.js';

const ROOM = 'e2e-room';
const missing = terminalAvailable();
if (missing && process.env.CI) throw new Error(`end-to-end tests need: ${missing}`);

const later: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of later.splice(0).reverse()) await fn();
});

let n = 0;
/** `voxagent connect` in tmux (80 × 24) with the greeter agent; `log()` reads its log. */
function connectInTerminal(settings: { url: string; apiKey: string; apiSecret: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'voxagent-e2e-'));
  later.push(() => rmSync(dir, { recursive: true, force: true }));
  const name = `vx-connect-${process.pid}-${++n}`;
  const agent = fixture('greeter.ts');
  const proc = new TmuxProcess(
    name,
    `node ${join(ROOT, 'bin/voxagent.js')} connect ${ROOM} ${agent} --log-level debug`,
    ROOT,
    join(dir, 'exit-code'),
    {
      LIVEKIT_URL: settings.url,
      LIVEKIT_API_KEY: settings.apiKey,
      LIVEKIT_API_SECRET: settings.apiSecret,
      TMPDIR: dir,
    },
    { columns: 80, rows: 24 },
  );
  later.push(() => proc.kill());
  const lines = () => readLogLines(dir);
  const events = (): SessionEvent[] => lines().flatMap(parseEvent);
  const count = (type: SessionEvent['type']) => events().filter((e) => e.type === type).length;
  return { proc, lines, events, count };
}

/**
 * Resolves once the log has had no new event for 1.5 s and every speech start has its end:
 * the session has caught up with what it was given.
 */
function settled(run: ReturnType<typeof connectInTerminal>): Promise<true> {
  let seen = -1;
  let since = Date.now();
  return eventually(
    () => {
      const n = run.events().length;
      if (n !== seen) {
        seen = n;
        since = Date.now();
        return false;
      }
      const open = run.count('user.speech_started') - run.count('user.speech_ended');
      return Date.now() - since >= 1500 && open === 0;
    },
    'the session to settle',
    30_000,
  );
}

describe.skipIf(missing !== null || !BUILT)('voxagent connect in a terminal', () => {
  let speech = '';
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'voxagent-e2e-speech-'));
    later.push(() => rmSync(dir, { recursive: true, force: true }));
    speech = join(dir, 'hello.wav');
    speechWav('Hello there, can you hear me?', speech);
  });

  it("shows the participant's voice on the mic meter; m stops the agent hearing it", async () => {
    const d = await LiveKitDouble.start({ rooms: [ROOM] });
    later.push(() => d.stop());
    const bob = d.addParticipant('bob');
    const run = connectInTerminal(d);
    const { proc } = run;
    await proc.waitFor((s) => s.includes('agent Greeter · running'), 20_000, 'the console');
    await eventually(
      () => run.events().some((e) => e.type === 'speech.done' && e.fullText === GREETING),
      'the greeting',
      15_000,
    );

    const spoken = bob.publishAudio(speech);
    await proc.waitFor((s) => /mic █/.test(s), 10_000, "bob's voice on the mic meter");
    await eventually(() => run.count('user.speech_started') >= 1, 'the VAD hearing bob', 10_000);
    await spoken;
    // On a busy machine the VAD runs behind and may cut one utterance in two: count from
    // the moment it has caught up.
    await settled(run);
    const heard = run.count('user.speech_started');

    proc.keys('m');
    await proc.waitFor((s) => s.includes('mic muted'), 5000, 'the muted mic');
    await bob.publishAudio(speech);
    await settled(run);
    // Bob spoke for two seconds into a muted console: the agent heard none of it.
    expect(run.count('user.speech_started')).toBe(heard);
    expect(run.lines()).toContain('info  microphone muted');

    proc.keys('m');
    await proc.waitFor((s) => s.includes('mic on'), 5000, 'the mic on again');
    void bob.publishAudio(speech);
    await eventually(() => run.count('user.speech_started') > heard, 'the VAD hearing bob again');
    proc.keys('q');
    expect(await proc.exitCode(10_000)).toBe(0);
  }, 90_000);

  it('a server that hangs shows as lost within seconds, and connected when it answers', async () => {
    const server = await startDoubleProcess({ rooms: [ROOM], participants: ['fay'] });
    later.push(() => server.stop());
    const run = connectInTerminal(server);
    const { proc } = run;
    await proc.waitFor((s) => /room e2e-room · connected/.test(s), 20_000, 'the room joined');
    await eventually(
      () => run.events().some((e) => e.type === 'speech.done' && e.fullText === GREETING),
      'the greeting',
      15_000,
    );
    const frozenAt = Date.now();
    server.freeze();
    await proc.waitFor(
      (s) => s.includes('room e2e-room · lost: server not answering, reconnecting'),
      10_000,
      'the lost connection on screen',
    );
    const tookMs = Date.now() - frozenAt;
    if (process.env.E2E_VERBOSE) console.log(`shown lost after ${tookMs} ms`);
    // 2–3 s expected; the bound allows for a busy machine.
    expect(tookMs).toBeLessThan(5000);
    expect(run.lines()).toContain(
      'warn  lost the room connection (the server stopped answering): reconnecting',
    );
    server.thaw();
    await proc.waitFor((s) => /room e2e-room · connected/.test(s), 20_000, 'connected again');
    proc.keys('q');
    expect(await proc.exitCode(10_000)).toBe(0);
  }, 90_000);
});
