/**
 * `voxagent dev --llm openai-realtime` end to end: the built CLI in a real terminal (tmux)
 * talks through the openai SDK's Realtime WebSocket client to a local TLS server that speaks
 * the Realtime protocol (test/support/fake-openai-realtime-server.ts). Text mode: a typed
 * line becomes a user item and a response; the greeting's say() goes through the separate
 * TTS; `i` interrupts a response and truncates it on the server. Skipped with the reason
 * when dist/ or tmux is missing, except under CI, where that fails.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeOpenAIRealtimeServer } from '../support/fake-openai-realtime-server.js';
import { testTls } from '../support/test-tls.js';
import { speechRows, Terminal, tmuxMissing } from './dev-console.terminal.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const mustRun = Boolean(process.env.CI);
const built = existsSync(join(root, 'dist', 'src', 'cli', 'main.js'));
const problem = tmuxMissing() ?? (built ? null : 'dist/ is missing: run `npm run build` first');
if (problem && !mustRun) console.warn(`dev realtime e2e skipped: ${problem}`);

let terminal: Terminal | undefined;
let server: FakeOpenAIRealtimeServer | undefined;
let dir: string | undefined;

afterEach(async () => {
  terminal?.close();
  terminal = undefined;
  await server?.close();
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function start(fake: FakeOpenAIRealtimeServer): Terminal {
  dir = mkdtempSync(join(tmpdir(), 'voxagent-e2e-'));
  terminal = new Terminal({
    socket: join(dir, 'tmux.sock'),
    cwd: root,
    argv: [
      'node',
      join(root, 'bin', 'voxagent.js'),
      'dev',
      '--text',
      '--llm',
      'openai-realtime',
    ].concat(['--tts', 'espeak', 'test/e2e/fixtures/greeter.ts']),
    env: {
      OPENAI_API_KEY: 'sk-test-realtime-0000',
      OPENAI_BASE_URL: fake.url,
      // Node reads this only at start: the CLI process trusts the fake's certificate.
      NODE_EXTRA_CA_CERTS: testTls().caFile,
    },
    exitFile: join(dir, 'exit-status'),
  });
  return terminal;
}

async function typeLine(t: Terminal, text: string): Promise<void> {
  t.keys('t');
  await t.waitFor((s) => s.includes('you ›'), 5000, 'the input line');
  t.keys('-l', text);
  await t.waitFor((s) => s.includes(text), 5000, 'the typed text');
  t.keys('Enter');
}

/** `promise`, or after `ms` an error naming what did not happen, with the screen. */
function within(t: Terminal, promise: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no ${what} within ${ms} ms; screen:\n${t.screen()}`)),
      ms,
    );
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe.skipIf(problem !== null && !mustRun)('voxagent dev --llm openai-realtime', () => {
  it('answers typed lines through the Realtime API, and i truncates the response on the server', async () => {
    if (problem) throw new Error(`CI is set but: ${problem}`);
    server = await FakeOpenAIRealtimeServer.start();
    // A short answer, then a long one held mid-audio so the interrupt lands while it plays.
    server.respond(
      { text: ['We open ', 'at nine.'] },
      { text: ['Let me tell you about every program we run, one by one.'], holdAtAudioMs: 1200 },
    );
    const t = start(server);
    await t.waitFor(
      (s) =>
        /agent Greeter · running · mode text/.test(s) && s.includes('openai-realtime/gpt-realtime'),
      20_000,
      'the session with the realtime model in the header',
    );
    await typeLine(t, 'when do you open');
    await t.waitFor((s) => s.includes('agent: We open at nine.'), 15_000, 'the realtime answer');
    const typed = server.eventsOf('conversation.item.create').map((e) => JSON.stringify(e));
    expect(typed.some((e) => e.includes('input_text') && e.includes('when do you open'))).toBe(
      true,
    );
    expect(server.connections[0]?.headers.authorization).toBe('Bearer sk-test-realtime-0000');

    await typeLine(t, 'tell me everything');
    await within(t, server.held(), 20_000, 'long answer held mid-audio at the server');
    // Interrupt once some of it was heard: an answer cut before its first audio has nothing to
    // truncate (the next request deletes it from the server's conversation instead).
    await t.waitFor(
      (s) =>
        speechRows(s).find((r) => r.state === 'playing' && /heard [1-9][\d.]*m?s/.test(r.line)),
      20_000,
      'the long answer playing, some of it heard',
    );
    t.keys('i');
    await within(
      t,
      server.waitFor(() => (server?.connections[0]?.truncations.length ?? 0) > 0),
      20_000,
      'truncation at the server',
    );
    const truncation = server.connections[0]!.truncations[0]!;
    // Truncated where the (text-mode, clocked) output had got to: after some audio, before its end.
    expect(truncation.audioEndMs).toBeGreaterThan(0);
    expect(truncation.audioEndMs).toBeLessThanOrEqual(1200);
    await t.waitFor((s) => /✂/.test(s), 10_000, 'the interrupted speech marked');
    t.keys('q');
    expect(await t.exitStatus(10_000)).toBe(0);
  }, 90_000);
});
