/**
 * `voxagent dev` with laptop speakers, end to end: a private speaker/microphone pair on the
 * PulseAudio daemon of `.ci/setup-audio.sh` (see dev-console.card.ts) whose speaker is looped
 * back into its microphone (module-loopback, unloaded afterwards). The agent greets at length
 * in espeak's voice; with no STT the VAD alone decides barge-in, so whatever the VAD hears of
 * the greeting interrupts it.
 * - with echo cancellation (the default) the greeting plays to its end and the VAD never
 *   starts on it;
 * - with `--no-aec` the agent hears itself and its greeting is cut short "by user_speech";
 * - with echo cancellation, a real voice in the microphone still interrupts the agent;
 * - when LiveKit's FFI library cannot load, the console says so once and runs without it.
 * Runs the built CLI; skipped with the reason when dist/, tmux or the card is missing,
 * except under CI, where that fails.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { speechPcm } from '../support/speech-pcm.js';
import { loudMs, probeVirtualCard } from '../support/virtual-card.js';
import { type PrivateCard, privateCard } from './dev-console.card.js';
import { type SpeechRow, speechRows, Terminal, tmuxMissing } from './dev-console.terminal.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const agentFile = join(root, 'test', 'e2e', 'fixtures', 'echo-greeter.ts');
const RATE = 16000;
const mustRun = Boolean(process.env.CI);
const shared = await probeVirtualCard();
const built = existsSync(join(root, 'dist', 'src', 'cli', 'main.js'));
const problem =
  tmuxMissing() ??
  (built ? null : 'dist/ is missing: run `npm run build` first') ??
  (shared.available ? null : shared.reason);
if (problem && !mustRun) console.warn(`dev echo cancellation e2e skipped: ${problem}`);

let terminal: Terminal | undefined;
let card: PrivateCard | undefined;
let dir: string | undefined;

afterEach(async () => {
  terminal?.close();
  terminal = undefined;
  await card?.close();
  card = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A private speaker and microphone, the speaker heard by the microphone, and `voxagent dev` on them. */
async function startOnSpeakers(
  tag: string,
  flags: string[],
  env: Record<string, string> = {},
): Promise<Terminal> {
  card = await privateCard(shared.env, `${tag}${process.pid}`);
  await card.loopback();
  dir = mkdtempSync(join(tmpdir(), 'voxagent-e2e-echo-'));
  terminal = new Terminal({
    socket: join(dir, 'tmux.sock'),
    cwd: root,
    argv: [
      'node',
      join(root, 'bin', 'voxagent.js'),
      'dev',
      agentFile,
      '--no-watch',
      '--log-level',
      'debug',
      ...flags,
    ],
    env: { ...card.env, ...env },
    exitFile: join(dir, 'exit-status'),
  });
  await terminal.waitFor(
    (s) => {
      if (s.includes('no audio device')) throw new Error(`dev fell back to text mode:\n${s}`);
      return /agent EchoGreeter · running · mode audio/.test(s);
    },
    30_000,
    'a running session in audio mode',
  );
  return terminal;
}

const greeting = (s: string): SpeechRow | undefined =>
  speechRows(s).find((r) => r.id === 'speech_1');

/** The greeting's row once it has ended. */
function greetingDone(t: Terminal, ms: number): Promise<SpeechRow> {
  return t.waitFor(
    (s) => {
      const row = greeting(s);
      return row?.state.startsWith('done') ? row : null;
    },
    ms,
    'the greeting to end',
  );
}

async function quit(t: Terminal): Promise<void> {
  t.keys('q');
  expect(await t.exitStatus(10_000)).toBe(0);
}

describe.skipIf(problem !== null && !mustRun)(
  'voxagent dev on speakers its microphone hears',
  () => {
    it('plays its whole greeting with echo cancellation: the VAD never hears it', async () => {
      if (problem) throw new Error(`CI is set but: ${problem}`);
      const t = await startOnSpeakers('aecon', []);
      const recorder = card!.record(RATE);
      const done = await greetingDone(t, 90_000);
      const heard = loudMs(recorder.samples(), RATE);
      await recorder.stop();
      const log = t.log();
      console.info(`greeting with AEC: ${done.state}; ${heard} ms of it loud on the speaker`);
      expect(done.state).toBe('done completed');
      // It really played (and so looped into the microphone) for seconds.
      expect(heard).toBeGreaterThanOrEqual(4000);
      expect(log).toContain('echo cancellation on');
      expect(log).not.toContain('user.speech_started');
      await quit(t);
    }, 150_000);

    it('interrupts itself with --no-aec: its own greeting barges in', async () => {
      if (problem) throw new Error(`CI is set but: ${problem}`);
      const t = await startOnSpeakers('aecoff', ['--no-aec']);
      const done = await greetingDone(t, 90_000);
      console.info(`greeting without AEC: ${done.state} (${done.line.trim()})`);
      expect(done.state).toBe('done interrupted');
      expect(done.line).toContain('by user_speech');
      expect(t.log()).toContain('echo cancellation off (--no-aec)');
      await quit(t);
    }, 150_000);

    it('with echo cancellation a voice in the microphone still interrupts the agent', async () => {
      if (problem) throw new Error(`CI is set but: ${problem}`);
      const voice = speechPcm(
        'Excuse me, sorry to interrupt, I have a question about the prices of the programs.',
        { sampleRate: RATE, voice: 'en-gb+f3' },
      );
      voice.catch(() => {});
      const t = await startOnSpeakers('aecbarge', []);
      const recorder = card!.record(RATE);
      // Past the canceller's warm-up: 3 s of the greeting heard on the speaker.
      await recorder.waitFor((pcm) => loudMs(pcm, RATE) >= 3000, 60_000, '3 s of greeting');
      await recorder.stop();
      const played = card!.play(await voice, RATE);
      try {
        const done = await greetingDone(t, 30_000);
        console.info(`greeting with AEC and a voice: ${done.state} (${done.line.trim()})`);
        expect(done.state).toBe('done interrupted');
        expect(done.line).toContain('by user_speech');
      } finally {
        await played;
      }
      await quit(t);
    }, 150_000);

    it('says once that there is no echo cancellation when the FFI library cannot load', async () => {
      if (problem) throw new Error(`CI is set but: ${problem}`);
      const t = await startOnSpeakers('aecmissing', [], {
        NAPI_RS_NATIVE_LIBRARY_PATH: '/nonexistent/rtc-node.node',
      });
      const screen = await t.waitFor(
        (s) => (s.includes('no echo cancellation') ? s : null),
        10_000,
        'the note about echo cancellation',
      );
      const flat = screen.replace(/\s+/g, ' ');
      expect(flat).toContain("no echo cancellation (LiveKit's FFI library failed to load");
      expect(flat.split('no echo cancellation').length - 1).toBe(1);
      expect(t.log()).toMatch(/warn +audio: no echo cancellation/);
      await quit(t);
    }, 60_000);
  },
);
