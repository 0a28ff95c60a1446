/**
 * `voxagent dev` end to end, in a real terminal (tmux), with the bundled front-desk example
 * and no API keys (demo model, espeak speech, no STT), on a private speaker/microphone pair
 * added to the PulseAudio daemon of `.ci/setup-audio.sh` (see dev-console.card.ts): type a
 * request, see the speech handle and the tool, interrupt with `i`, hear the speech, speak
 * into the microphone, quit with `q`. Runs the built CLI (`npm ci` builds it); skipped with
 * the reason when dist/, tmux or the card is missing, except under CI, where that fails.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { EspeakTTS } from '../../src/audio/espeak-tts.js';
import { VirtualClock } from '../../src/runtime/clock/virtual-clock.js';
import { loudMs, probeVirtualCard } from '../support/virtual-card.js';
import { type PrivateCard, privateCard } from './dev-console.card.js';
import { type SpeechRow, speechRows, Terminal, tmuxMissing } from './dev-console.terminal.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const RATE = 16000;
const mustRun = Boolean(process.env.CI);
const shared = await probeVirtualCard();
const built = existsSync(join(root, 'dist', 'src', 'cli', 'main.js'));
const terminalProblem =
  tmuxMissing() ?? (built ? null : 'dist/ is missing: run `npm run build` first');
const audioProblem = terminalProblem ?? (shared.available ? null : shared.reason);
if (terminalProblem && !mustRun) console.warn(`dev console e2e skipped: ${terminalProblem}`);
else if (audioProblem && !mustRun) console.warn(`dev console audio e2e skipped: ${audioProblem}`);

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

function start(args: string[], env: Record<string, string> = {}): Terminal {
  dir = mkdtempSync(join(tmpdir(), 'voxagent-e2e-'));
  terminal = new Terminal({
    socket: join(dir, 'tmux.sock'),
    cwd: root,
    argv: ['node', join(root, 'bin', 'voxagent.js'), 'dev', ...args],
    env,
    exitFile: join(dir, 'exit-status'),
  });
  return terminal;
}

/**
 * How long quitting may take: well under a second on a quiet machine (E2E_VERBOSE prints it),
 * a few on a busy one, where Node itself runs slowly; a hang fails `exitStatus` anyway.
 */
const QUIT_MS = 3000;

/** Presses `q` and returns how long the command took to exit, asserting status 0. */
async function quit(t: Terminal): Promise<number> {
  const pressed = performance.now();
  t.keys('q');
  const status = await t.exitStatus(5000);
  const tookMs = performance.now() - pressed;
  expect(status).toBe(0);
  if (process.env.E2E_VERBOSE) console.log(`quit took ${tookMs.toFixed(0)} ms`);
  return tookMs;
}

/** Speech in the test process (espeak, 16 kHz), to play into the virtual microphone. */
async function speech(text: string): Promise<Int16Array> {
  const tts = new EspeakTTS({ sampleRate: RATE });
  const parts: Int16Array[] = [];
  async function* one() {
    yield text;
  }
  const ctx = { clock: new VirtualClock(), signal: new AbortController().signal };
  for await (const audio of tts.synthesize(one(), ctx)) parts.push(audio.frame.data);
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const flat = (text: string) => text.replace(/\s+/g, ' ');

/**
 * Types a line like a person: the key that opens the input line (`t` user, `s` agent says),
 * the text once the line shows, then Enter once the text shows. Waiting matters: sent
 * back to back, the terminal may deliver `t` and the text as one read, and the console
 * then drops them (see the report on use-hotkeys.ts).
 */
async function typeLine(t: Terminal, key: 't' | 's', text: string): Promise<void> {
  const prompt = key === 't' ? 'you ›' : 'agent says ›';
  t.keys(key);
  await t.waitFor((s) => s.includes(prompt), 5000, `the input line (${prompt})`);
  t.keys('-l', text);
  // A long line shows its end (where the cursor is): wait for that.
  await t.waitFor((s) => flat(s).includes(flat(text).slice(-40)), 5000, 'the typed text');
  t.keys('Enter');
}

const row = (screen: string, id: string) => speechRows(screen).find((r) => r.id === id);

const LONG_SAY =
  'Welcome to the gaming club. Our coaches run programs every weekday afternoon and on ' +
  'weekends, for children from six to eighteen, with board games, video games, chess, and ' +
  'game design, and every program ends with a small tournament for the families. ' +
  'Families can watch the finals on Sunday afternoons in the main hall, and everyone is welcome.';

describe.skipIf(audioProblem !== null && !mustRun)('voxagent dev in a terminal (audio)', () => {
  it('speaks, shows handles and tools, interrupts on i, pauses for the microphone, quits on q', async () => {
    if (audioProblem) throw new Error(`CI is set but: ${audioProblem}`);
    const micSpeech = speech('Excuse me, wait a moment, I have a question about that.');
    // Awaited below; this only keeps an early failure of the test from leaving it unhandled.
    micSpeech.catch(() => {});
    // Its own speaker and microphone: other test files use the shared ones meanwhile.
    card = await privateCard(shared.env, String(process.pid));
    const recorder = card.record(RATE);
    const t = start([], card.env);
    await t.waitFor(
      (s) => {
        if (s.includes('no audio device')) throw new Error(`dev fell back to text mode:\n${s}`);
        return /agent FrontDesk · running · mode audio/.test(s);
      },
      20_000,
      'running session in audio mode',
    );

    // A typed request: its speech handle and the tool it calls appear, and it is heard.
    await typeLine(t, 't', 'what programs do you have?');
    await t.waitFor((s) => /speech_1/.test(s) && /get_programs/.test(s), 10_000, 'speech + tool');
    await t.waitFor((s) => row(s, 'speech_1')?.state === 'playing', 10_000, 'speech_1 playing');
    await recorder.waitFor(
      (pcm) => loudMs(pcm, RATE) >= 300,
      10_000,
      '300 ms of agent speech on the speaker',
    );

    // `i` while the tool's filler plays: that handle ends interrupted, by the console (the key).
    const filler = await t.waitFor(
      (s) => speechRows(s).find((r) => r.state === 'playing' && /· say ← tool /.test(r.line)),
      15_000,
      "the tool's filler playing",
    );
    t.keys('i');
    const cut = await t.waitFor(
      (s) => {
        const r = row(s, filler.id);
        return r?.state.startsWith('done') ? r : null;
      },
      5000,
      `${filler.id} done`,
    );
    expect(cut.state).toBe('done interrupted');
    expect(cut.line).toContain('by console');

    // Speech into the microphone while the agent talks. With no STT there are no words to
    // tell speech from noise, so the VAD alone decides: speech longer than the minimum
    // interruption duration interrupts the agent (the offline barge-in).
    await typeLine(t, 's', LONG_SAY);
    const said = await t.waitFor(
      (s) =>
        speechRows(s).find(
          (r) => r.state === 'playing' && r.text.includes('Welcome to the gaming club'),
        ),
      15_000,
      'the long say playing',
    );
    // Barge-in is held off until the echo canceller has adapted to the room (docs/audio.md):
    // at most 6 s of agent speech, sooner when it converges. Talk once it has.
    await t.waitFor((_) => /audio: echo canceller adapted/.test(t.log()), 10_000, 'AEC adapted');
    // Someone not heard says it again: with both cores busy the canceller may not converge
    // (it opens the microphone after 6 s anyway) and a first try can go unheard.
    const voice = await micSpeech;
    const bargedIn = (s: string) => {
      const r = row(s, said.id);
      return r?.state === 'done interrupted' ? r : null;
    };
    let barged: SpeechRow | null = null;
    for (let attempt = 1; !barged; attempt++) {
      const played = card.play(voice, RATE);
      try {
        const what = `${said.id} interrupted by the voice (try ${attempt} of 2)`;
        barged = await t.waitFor(bargedIn, 7000, what).catch((err: unknown) => {
          if (attempt >= 2) throw err;
          return null;
        });
        if (!barged) continue;
        expect(barged.line).toContain('by user_speech');
        // The output was cleared: the speaker goes quiet while the user talks.
        const from = recorder.samples().length + (RATE * 300) / 1000;
        await recorder.waitFor((pcm) => pcm.length >= from + RATE / 2, 5000, '0.5 s more');
        expect(loudMs(recorder.samples().slice(from, from + RATE / 2), RATE)).toBeLessThanOrEqual(
          40,
        );
      } finally {
        await played;
      }
    }

    expect(await quit(t)).toBeLessThan(QUIT_MS);
  }, 60_000);
});

describe.skipIf(terminalProblem !== null && !mustRun)('voxagent dev in a terminal (--text)', () => {
  it('answers a typed line and quits on q', async () => {
    if (terminalProblem) throw new Error(`CI is set but: ${terminalProblem}`);
    const t = start(['--text']);
    await t.waitFor((s) => /agent FrontDesk · running · mode text/.test(s), 20_000, 'session');
    await typeLine(t, 't', 'hello there');
    await t.waitFor((s) => s.includes('you (text): hello there'), 5000, 'the typed line');
    await t.waitFor(
      (s) => s.includes('agent: Hi, this is the gaming club front desk'),
      15_000,
      "the agent's reply",
    );
    expect(await quit(t)).toBeLessThan(QUIT_MS);
  }, 60_000);
  it('draws live on a terminal even with CI=true in the environment', async () => {
    if (terminalProblem) throw new Error(`CI is set but: ${terminalProblem}`);
    const t = start(['--text'], { CI: 'true' });
    await t.waitFor((s) => /agent FrontDesk · running · mode text/.test(s), 20_000, 'session');
    expect(await quit(t)).toBeLessThan(QUIT_MS);
  }, 60_000);
});
