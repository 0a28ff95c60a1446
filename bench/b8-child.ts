/**
 * Child process of B8 (a clean heap and event loop per run). Prints one JSON line.
 *   <ui|off> <device|main> <warmupSeconds> <seconds>: one session on the real clock under a
 *   busy workload (b8-workload.ts: a reply streamed token by token, many short sentences, a
 *   tool per turn, a typed turn every second that interrupts it), with `renderConsole`
 *   drawing the live console to a fake terminal (`ui`) or no UI (`off`). The agent's voice:
 *   - `device`: the path of `voxagent dev` in audio mode: DeviceOutput → IPC → the audio
 *     child's device host and PlaybackPump, on a simulated sound card (sim-device.ts), plus
 *     its microphone and an energy VAD. Lateness is measured at the card, in the child.
 *   - `main`: frames paced by timers on this (the console's) thread (paced.ts).
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { openDeviceAudio } from '../src/audio/device-audio.js';
import { EnergyVAD } from '../src/audio/energy-vad.js';
import { Agent, AgentSession, type AudioInput, type AudioOutput, tool } from '../src/index.js';
import { ChattyLLM, FRAMES_PER_SENTENCE, NullTerminal, TURN_EVERY_MS } from './b8-workload.js';
import { ROOT } from './child.js';
import { ZeroTTS } from './models.js';
import { FRAME_MS, PacedOutput } from './paced.js';
import { type SpeakerRecord, wallNow } from './sim-device.js';
import { summarize } from './stats.js';

/** Where the agent's voice goes, and how its lateness is read after the run. */
interface Voice {
  readonly output: AudioOutput;
  readonly input?: AudioInput;
  level(): number;
  /** Stops, then the lateness of every frame due in the window, and which carried speech. */
  finish(window: { from: number; to: number }): Promise<{ late: number[]; speaking: number }>;
  /** Audio queued ahead of the card (device path only), sampled while measuring. */
  readonly bufferedMs?: () => number;
  /** Chunks of silence played inside a speech so far (device path only): gaps. */
  readonly underruns?: () => number;
}

/**
 * A chunk of silence played inside a speech (an underrun: its audio was not there in time)
 * is audio late by a chunk: it counts as a frame FRAME_MS late, in place of an on-time one.
 */
function withUnderruns(late: number[], underruns: number): number[] {
  const sorted = [...late].sort((a, b) => a - b);
  for (let i = 0; i < Math.min(underruns, sorted.length); i++) {
    sorted[i] = Math.max(sorted[i]!, FRAME_MS);
  }
  return sorted;
}

async function deviceVoice(): Promise<Voice> {
  const statsFile = join(tmpdir(), `voxagent-b8-${process.pid}.json`);
  const audio = await openDeviceAudio({
    childEntry: { script: join(ROOT, 'bench', 'b8-device.ts'), execArgv: ['--import', 'tsx'] },
    env: { B8_DEVICE_STATS: statsFile },
  });
  return {
    output: audio.output,
    input: audio.input,
    level: () => audio.level(),
    bufferedMs: () => audio.output.bufferedMs,
    underruns: () => audio.output.underruns,
    async finish({ from, to }) {
      await audio.close();
      const record = JSON.parse(readFileSync(statsFile, 'utf8')) as SpeakerRecord;
      rmSync(statsFile, { force: true });
      const late: number[] = [];
      let speaking = 0;
      record.due.forEach((due, k) => {
        if (due < from || due >= to) return;
        late.push(record.late[k]!);
        if (record.sound[k]) speaking++;
      });
      return { late, speaking };
    },
  };
}

function mainThreadVoice(): Voice {
  const ticks: { at: number; late: number; playing: boolean }[] = [];
  const output = new PacedOutput(FRAME_MS, (lateMs, playing) => {
    ticks.push({ at: wallNow(), late: Math.max(0, lateMs), playing });
  });
  return {
    output,
    // A live microphone meter, polled ~15 times a second.
    level: () => 0.05 + 0.3 * Math.random(),
    async finish({ from, to }) {
      output.stop();
      const measured = ticks.filter((t) => t.at >= from && t.at < to);
      return {
        late: measured.map((t) => t.late),
        speaking: measured.filter((t) => t.playing).length,
      };
    },
  };
}

function drawConsole(session: AgentSession, voice: Voice, terminal: NullTerminal) {
  const stdin = new Readable({ read() {} });
  return import('../src/ui/render-console.js').then(({ renderConsole }) =>
    renderConsole({
      events: session,
      controller: {
        interrupt: () => session.interrupt(),
        sendText: (text) => void session.sendUserText(text),
        say: (text) => void session.say(text),
        toggleMute: () => false,
        toggleAudio: () => 'audio',
        quit: () => {},
      },
      header: {
        title: 'voxagent dev',
        agentName: 'Bench',
        models: [
          { role: 'llm', name: 'chatty-llm' },
          { role: 'tts', name: 'zero-tts' },
        ],
        mode: 'audio',
      },
      now: () => session.clock.now(),
      getLevel: () => voice.level(),
      stdin: stdin as unknown as NodeJS.ReadStream,
      stdout: terminal as unknown as NodeJS.WriteStream,
      stderr: new NullTerminal() as unknown as NodeJS.WriteStream,
      patchConsole: false,
    }),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The session under test, counting its events and turns while `counting()` holds. */
async function startSession(voice: Voice, counting: () => boolean) {
  const session = new AgentSession({
    llm: new ChattyLLM(),
    tts: new ZeroTTS(FRAMES_PER_SENTENCE),
    output: voice.output,
    ...(voice.input ? { input: voice.input, vad: new EnergyVAD() } : {}),
  });
  const counts = { events: 0, turns: 0 };
  session.onAny((e) => {
    if (!counting()) return;
    counts.events++;
    if (e.type === 'user.turn') counts.turns++;
  });
  return { session, counts };
}

const benchAgent = () =>
  new Agent({
    name: 'Bench',
    instructions: 'x',
    tools: {
      lookup: tool({
        description: 'look something up',
        execute: async () => {
          await sleep(30);
          return 'three results';
        },
      }),
    },
  });

/** What the console's thread goes through while measuring: GC, stalls, busy share. */
function watchThread() {
  const gcs: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push(e.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  // How long the thread is held at a time (renders, GC): what a pacer on it would feel.
  const stalls = monitorEventLoopDelay({ resolution: 1 });
  stalls.enable();
  const elu0 = performance.eventLoopUtilization();
  return () => {
    const elu = performance.eventLoopUtilization(elu0).utilization;
    stalls.disable();
    observer.disconnect();
    return {
      elu,
      gcMaxMs: gcs.length ? Math.max(...gcs) : 0,
      gcTotalMs: gcs.reduce((a, b) => a + b, 0),
      stallP99Ms: stalls.percentile(99) / 1e6,
      stallMaxMs: stalls.max / 1e6,
    };
  };
}

async function run(ui: boolean, path: 'device' | 'main', warmupS: number, seconds: number) {
  // Ink only draws at exit under a CI variable (is-in-ci reads it once, on import), and
  // colours follow the terminal: look like an interactive colour terminal.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  process.env.FORCE_COLOR = '3';
  const voice = path === 'device' ? await deviceVoice() : mainThreadVoice();
  let measuring = false;
  const { session, counts } = await startSession(voice, () => measuring);
  const terminal = new NullTerminal();
  const screen = ui ? await drawConsole(session, voice, terminal) : null;
  await session.start({ agent: benchAgent() });
  let n = 0;
  const typed = () => void session.sendUserText(`question number ${n++}`);
  typed();
  const typing = setInterval(typed, TURN_EVERY_MS);
  await sleep(warmupS * 1000);
  const buffered: number[] = [];
  const sampling = setInterval(() => buffered.push(voice.bufferedMs?.() ?? 0), 100);
  const [writes0, bytes0] = [terminal.writes, terminal.bytes];
  const from = wallNow();
  const underruns0 = voice.underruns?.() ?? 0;
  measuring = true;
  const thread = watchThread();
  await sleep(seconds * 1000);
  const threadStats = thread();
  const to = wallNow();
  const underruns = (voice.underruns?.() ?? 0) - underruns0;
  measuring = false;
  clearInterval(typing);
  clearInterval(sampling);
  await session.close();
  screen?.unmount();
  const finished = await voice.finish({ from, to });
  const late = withUnderruns(finished.late, underruns);
  const s = summarize(late);
  console.log(
    JSON.stringify({
      ui,
      path,
      frames: s.n,
      p50: s.median,
      p99: s.p99,
      max: s.max,
      late,
      underruns,
      speaking: finished.speaking,
      ...counts,
      seconds,
      screenWrites: terminal.writes - writes0,
      screenBytes: terminal.bytes - bytes0,
      ...threadStats,
      bufferedMedianMs: summarize(buffered).median,
      // React's development build (NODE_ENV not 'production') times every component render
      // with performance.measure, and Node keeps each entry.
      measures: performance.getEntriesByType('measure').length,
      nodeEnv: process.env.NODE_ENV ?? null,
    }),
  );
  process.exit(0);
}

const [mode, path, warmup, seconds] = process.argv.slice(2);
if (mode !== 'ui' && mode !== 'off') throw new Error(`unknown mode ${mode}`);
if (path !== 'device' && path !== 'main') throw new Error(`unknown path ${path}`);
await run(mode === 'ui', path, Number(warmup), Number(seconds));
