import { DeepgramSTT, DeepgramTTS } from '../plugins/deepgram/index.js';
import { OpenAILLM, OpenAITTS } from '../plugins/openai/index.js';
import {
  Agent,
  AgentSession,
  type AgentSessionOptions,
  type AudioFrame,
  type AudioInput,
  silenceFrame,
} from '../src/index.js';
import { FakeDeepgramServer, results } from '../test/support/fake-deepgram-server.js';
import { FakeOpenAIServer } from '../test/support/fake-openai-server.js';
import { InstantOutput, ZeroLLM, ZeroTTS } from './models.js';
import { type Row, type Summary, summarize, tick } from './stats.js';

/**
 * B7 provider overhead, on the REAL clock: the real SDKs through the plugins, against the
 * local servers that speak the providers' wire protocols (test/support). The servers note
 * `performance.now()` as they hand a message to the socket (same process, same clock); the
 * figure is from there to the session's event or to the first frame at its output. So it
 * is loopback TCP + the SDK's parsing + the plugin + the runtime up to that point: what a
 * real provider's first byte costs on top of the network.
 */

const WARMUP = 20;
const REPS = 200;
/** A fresh session (and connection) every so many turns keeps the chat history short. */
const TURNS_PER_SESSION = 25;
const KEY = 'sk-bench-not-a-real-key';
/** Audio the microphone sends per turn; the listen server answers once it has it. */
const AUDIO_PER_TURN_MS = 100;
/** A chunk line with non-empty text (the role chunk that opens a stream has `""`). */
const TEXT_CHUNK = /"content":"[^"]/;
/** How long the held variant of B7a keeps the first text back after the role chunk. */
const HOLD_MS = 3;

/** When the server sent the message and when the session saw it, for the current turn. */
interface Probe {
  serverAt: number | undefined;
  clientAt: number | undefined;
}

interface Rig {
  session: AgentSession;
  output: InstantOutput;
  input: PushInput;
}

interface Figure {
  open(probe: Probe): AgentSessionOptions & { output: InstantOutput; input: PushInput };
  /** Called once per session, before it starts (e.g. to script the listen connection). */
  script?(): void;
  /** Subscribes to the session's events, before it starts. */
  attach?(session: AgentSession, probe: Probe): void;
  /** Runs one turn to its end. */
  turn(rig: Rig): Promise<void>;
}

/** A microphone the benchmark feeds by hand. */
class PushInput implements AudioInput {
  readonly label = 'push input';
  readonly sampleRate = 16_000;
  readonly #queue: AudioFrame[] = [];
  #wake: (() => void) | undefined;

  push(frames: AudioFrame[]): void {
    this.#queue.push(...frames);
    this.#wake?.();
  }

  async *frames(signal: AbortSignal): AsyncIterable<AudioFrame> {
    signal.addEventListener('abort', () => this.#wake?.(), { once: true });
    while (!signal.aborted) {
      const next = this.#queue.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}

async function measure(figure: Figure): Promise<Summary> {
  const probe: Probe = { serverAt: undefined, clientAt: undefined };
  const samples: number[] = [];
  const open = async (): Promise<Rig> => {
    figure.script?.();
    const options = figure.open(probe);
    const session = new AgentSession(options);
    figure.attach?.(session, probe);
    await session.start({ agent: new Agent({ name: 'Bench', instructions: 'x' }) });
    return { session, output: options.output, input: options.input };
  };
  let rig = await open();
  for (let i = 0; i < WARMUP + REPS; i++) {
    if (i > 0 && i % TURNS_PER_SESSION === 0) {
      await rig.session.close();
      rig = await open();
    }
    probe.serverAt = undefined;
    probe.clientAt = undefined;
    await figure.turn(rig);
    const { serverAt, clientAt } = probe;
    if (serverAt === undefined || clientAt === undefined) {
      throw new Error(`turn ${i}: server sent at ${serverAt}, session saw it at ${clientAt}`);
    }
    if (i >= WARMUP) samples.push(clientAt - serverAt);
    if (i % 50 === 0) await tick();
  }
  await rig.session.close();
  return summarize(samples);
}

/** A reply to typed input, to its end. */
async function reply(rig: Rig): Promise<void> {
  await rig.session.generateReply({ userInput: 'hello' });
  await rig.session.waitForIdle();
}

function firstFrameOutput(probe: Probe): InstantOutput {
  const output = new InstantOutput(true);
  output.onFirstFrame = (at) => {
    probe.clientAt ??= at;
  };
  return output;
}

/**
 * B7a: OpenAILLM. As the fake sends it, the first text line follows the headers and the
 * role chunk at once; `held`: it comes HOLD_MS later, when the SDK has opened the stream.
 */
function chatFigure(openai: FakeOpenAIServer, held: boolean): Figure {
  return {
    open(probe) {
      openai.onWrite = (w) => {
        if (probe.serverAt !== undefined || w.path !== '/v1/chat/completions') return;
        if (typeof w.data === 'string' && TEXT_CHUNK.test(w.data)) probe.serverAt = w.at;
      };
      return {
        llm: new OpenAILLM({ apiKey: KEY, baseURL: openai.url }),
        tts: new ZeroTTS(1),
        output: new InstantOutput(true),
        input: new PushInput(),
      };
    },
    attach(session, probe) {
      session.on('speech.text', () => {
        probe.clientAt ??= performance.now();
      });
    },
    async turn(rig) {
      openai.chat({ type: 'reply', text: ['Hello', ' there.'], ...(held ? { holdAfter: 1 } : {}) });
      const done = reply(rig);
      if (held) {
        await openai.held();
        await tick(HOLD_MS);
        openai.release();
      }
      await done;
    },
  };
}

export async function runB7(): Promise<Row[]> {
  const [openai, deepgram] = await Promise.all([
    FakeOpenAIServer.start(),
    FakeDeepgramServer.start(),
  ]);
  try {
    const chat = await measure(chatFigure(openai, false));
    const chatHeld = await measure(chatFigure(openai, true));
    const speech = await measure({
      open(probe) {
        openai.onWrite = (w) => {
          if (w.path === '/v1/audio/speech') probe.serverAt ??= w.at;
        };
        return {
          llm: new ZeroLLM('Hello there.'),
          tts: new OpenAITTS({ apiKey: KEY, baseURL: openai.url }),
          output: firstFrameOutput(probe),
          input: new PushInput(),
        };
      },
      turn: reply,
    });
    const listen = await measure({
      script() {
        deepgram.listen({
          steps: Array.from({ length: TURNS_PER_SESSION }, (_, k) => ({
            atMs: (k + 1) * AUDIO_PER_TURN_MS,
            send: results(`question number ${k}`, {
              start: (k * AUDIO_PER_TURN_MS) / 1000,
              duration: AUDIO_PER_TURN_MS / 1000,
              isFinal: true,
              speechFinal: true,
            }),
          })),
        });
      },
      attach(session, probe) {
        session.on('user.transcript', (e) => {
          if (e.final) probe.clientAt ??= performance.now();
        });
      },
      open(probe) {
        deepgram.onSend = (m) => {
          if (m.path !== '/v1/listen' || probe.serverAt !== undefined) return;
          if (typeof m.data === 'string' && m.data.includes('"is_final":true')) {
            probe.serverAt = m.at;
          }
        };
        return {
          stt: new DeepgramSTT({ apiKey: KEY, baseURL: deepgram.url }),
          llm: new ZeroLLM(),
          tts: new ZeroTTS(1),
          output: new InstantOutput(true),
          input: new PushInput(),
          turnDetection: { minEndpointingDelayMs: 0 },
        };
      },
      async turn(rig) {
        const done = new Promise<void>((resolve) => {
          const sub = rig.session.on('speech.done', () => {
            sub.dispose();
            resolve();
          });
        });
        const frame = silenceFrame(20, 16_000);
        rig.input.push(Array.from({ length: AUDIO_PER_TURN_MS / 20 }, () => frame));
        await done;
        await rig.session.waitForIdle();
      },
    });
    const speak = await measure({
      open(probe) {
        deepgram.onSend = (m) => {
          if (m.path === '/v1/speak' && typeof m.data !== 'string') probe.serverAt ??= m.at;
        };
        return {
          llm: new ZeroLLM('Hello there.'),
          tts: new DeepgramTTS({ apiKey: KEY, baseURL: deepgram.url }),
          output: firstFrameOutput(probe),
          input: new PushInput(),
        };
      },
      turn: reply,
    });
    const note = `${REPS} turns after ${WARMUP} warm-up, real clock, real SDK ↔ local server, ${TURNS_PER_SESSION} turns/session`;
    const row = (id: string, figure: string, s: Summary, audio: boolean): Row => ({
      id,
      figure,
      median: s.median,
      p95: s.p95,
      unit: 'ms',
      target: audio ? '≤ 20 ms (1 frame)' : '< 1 ms median',
      met: audio ? s.median <= 20 : s.median < 1,
      note,
    });
    const a = row('B7a', 'OpenAI chat: first text chunk sent → speech.text', chat, false);
    a.note += `; text sent ${HOLD_MS} ms after the stream opened: median ${chatHeld.median.toFixed(3)}, p95 ${chatHeld.p95.toFixed(3)} ms`;
    return [
      a,
      row('B7b', 'OpenAI speech: first PCM sent → first frame out', speech, true),
      row('B7c', 'Deepgram STT: final Results sent → user.transcript', listen, false),
      row('B7d', 'Deepgram TTS: first audio sent → first frame out', speak, true),
    ];
  } finally {
    await Promise.all([openai.close(), deepgram.close()]);
  }
}
