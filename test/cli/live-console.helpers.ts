/** A LiveConsole on a fake screen, with scripted models and an agent module built in memory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnergyVAD } from '../../src/audio/energy-vad.js';
import type { LoadedAgent } from '../../src/cli/agent-bundle.js';
import {
  type AudioLink,
  LiveConsole,
  type LiveConsoleOptions,
} from '../../src/cli/live-console.js';
import { Logger } from '../../src/cli/logger.js';
import type { ChosenModels } from '../../src/cli/providers.js';
import { Agent } from '../../src/runtime/agents/agent.js';
import { RealClock } from '../../src/runtime/clock/real-clock.js';
import type { SessionEvent } from '../../src/runtime/events/types.js';
import { ClockedOutput } from '../../src/runtime/io/clocked-output.js';
import { FakeLLM } from '../../src/testing/fake-llm.js';
import type { ConsoleHandle, HeaderInfo, RenderConsoleOptions } from '../../src/ui/index.js';
import { eventually } from '../livekit/helpers.js';

/** Records what the console asks of its screen; `options` gives the controller and events. */
export class FakeScreen {
  options!: RenderConsoleOptions;
  header!: HeaderInfo;
  renders = 0;
  sessionsBegun: Partial<HeaderInfo>[] = [];
  /** Called inside beginSession: the moment no session runs (tests type into it). */
  onBeginSession: (() => void) | undefined;
  readonly events: SessionEvent[] = [];

  /** Keeps what the console gives its screen (for a real screen drawn alongside). */
  capture(options: RenderConsoleOptions): void {
    this.renders++;
    this.options = options;
    this.header = options.header;
    options.events.onAny((e) => this.events.push(e));
  }

  readonly render = (options: RenderConsoleOptions): ConsoleHandle => {
    this.capture(options);
    return {
      unmount: () => {},
      waitUntilExit: async () => {},
      setHeader: (patch) => {
        this.header = { ...this.header, ...patch };
      },
      beginSession: (patch = {}) => {
        this.header = { ...this.header, ...patch };
        this.sessionsBegun.push(patch);
        this.onBeginSession?.();
      },
    };
  };

  get controller() {
    return this.options.controller;
  }

  /** Events of one type, in order. */
  of<K extends SessionEvent['type']>(type: K): Extract<SessionEvent, { type: K }>[] {
    return this.events.filter((e): e is Extract<SessionEvent, { type: K }> => e.type === type);
  }
}

export function loadedAgent(name: string, file = '/tmp/agent.ts'): LoadedAgent {
  return {
    file,
    factory: () => new Agent({ name, instructions: 'Answer.' }),
    demo: undefined,
    files: [file],
  };
}

export function scriptedModels(reply = 'Fine, thanks.'): ChosenModels {
  return {
    llm: new FakeLLM({ fallback: { text: reply } }),
    tts: undefined,
    stt: undefined,
    choices: [{ role: 'llm', name: 'fake-llm', why: 'scripted' }],
  };
}

/** An audio link with no device: a microphone that stays silent, a clocked speaker. */
export function silentLink(): AudioLink & { muted: boolean[] } {
  const muted: boolean[] = [];
  return {
    muted,
    input: {
      label: 'silent mic',
      sampleRate: 16_000,
      async *frames(signal: AbortSignal) {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      },
    },
    output: new ClockedOutput(new RealClock(), { label: 'silent speaker' }),
    level: () => 0,
    setMuted: (m) => {
      muted.push(m);
    },
    close: async () => {},
  };
}

export interface ConsoleRig {
  live: LiveConsole;
  screen: FakeScreen;
  logLines: string[];
  cleanup(): Promise<void>;
}

export function consoleRig(options: Partial<LiveConsoleOptions> = {}): ConsoleRig {
  const dir = mkdtempSync(join(tmpdir(), 'voxagent-console-'));
  const logger = new Logger({ name: 'test', dir, level: 'debug' });
  const logLines: string[] = [];
  logger.onLine((l) => logLines.push(`${l.level} ${l.text}`));
  const screen = new FakeScreen();
  const live = new LiveConsole({
    title: 'voxagent dev',
    mode: 'text',
    openAudio: () => Promise.reject(new Error('no device here')),
    logger,
    vad: async () => ({ kind: 'silero', vad: new EnergyVAD() }),
    ...options,
    screen: options.screen
      ? (o) => {
          screen.capture(o);
          return options.screen!(o);
        }
      : screen.render,
  });
  return {
    live,
    screen,
    logLines,
    async cleanup() {
      await live.quit(0);
      await logger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits (bounded) for an event matching `where`. */
export function waitForEvent<K extends SessionEvent['type']>(
  screen: FakeScreen,
  type: K,
  where: (e: Extract<SessionEvent, { type: K }>) => boolean = () => true,
): Promise<Extract<SessionEvent, { type: K }>> {
  return eventually(() => screen.of(type).find(where), `a ${type} event`);
}
