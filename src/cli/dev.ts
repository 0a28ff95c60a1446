import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../runtime/core/errors.js';
import type { LogLevel } from '../ui/types.js';
import { loadAgentModule } from './agent-bundle.js';
import { AgentWatcher } from './agent-watcher.js';
import { ExitGuard } from './exit-guard.js';
import { type AudioLink, LiveConsole } from './live-console.js';
import { Logger } from './logger.js';
import { checkProviderKeys, chooseModels, type ProviderFlags } from './providers.js';

export interface DevFlags extends ProviderFlags {
  text?: boolean;
  inputDevice?: string;
  outputDevice?: string;
  record?: string;
  logLevel?: LogLevel;
  watch?: boolean;
  /** `--no-aec` sets false: no echo cancellation of the speakers in the microphone. */
  aec?: boolean;
}

/** The folder of voxagent's own package (for the bundled example). */
export function packageRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'examples'))) return dir;
    if (dirname(dir) === dir) throw new Error('cannot find the voxagent package folder');
  }
}

/** `voxagent dev [agent-file]`: console mode over the microphone and speakers (or text). */
export async function devCommand(agentFile: string | undefined, flags: DevFlags): Promise<number> {
  const file = agentFile ?? join(packageRoot(), 'examples', 'front-desk.ts');
  // Mistakes on the command line fail at once, before any screen: one line, exit 2.
  if (!existsSync(file)) throw new UsageError(`agent file not found: ${agentFile ?? file}`);
  await checkProviderKeys(flags);
  const logger = new Logger({
    name: 'dev',
    level: flags.logLevel ?? 'info',
    secrets: [process.env.OPENAI_API_KEY, process.env.DEEPGRAM_API_KEY],
  });
  const live = new LiveConsole({
    title: 'voxagent dev',
    mode: flags.text ? 'text' : 'audio',
    openAudio: () => openDevices(flags, logger),
    ...(flags.record !== undefined ? { record: flags.record } : {}),
    logger,
  });
  // Agent code calling process.exit() must not end the tool mid-conversation (see ExitGuard).
  const exits = new ExitGuard({
    onIgnored: (code) =>
      live.note(`the agent code called process.exit(${code ?? ''}): ignored (press q to quit)`),
  });
  exits.install();
  // First paint before the agent is built (bundling starts esbuild's own process).
  live.show();
  // Without a terminal nobody can press q, and without watching no fix can come: a load
  // failure then ends the command instead of waiting forever.
  const failFast = flags.watch === false && !process.stdin.isTTY;
  let failure: string | undefined;
  const loader = loadAndWatch(file, flags, live, exits);
  const onSignal = () => void live.quit(0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    void loader.first.then(() => {
      if (!failFast || live.session) return;
      failure = live.loadError ?? 'the agent did not start';
      void live.quit(2);
    });
    const code = await live.exited;
    exits.dispose();
    if (failure !== undefined) console.error(`voxagent: ${failure}`);
    exitSoon(code);
    return code;
  } finally {
    exits.dispose();
    loader.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await logger.close();
  }
}

/**
 * Builds the agent and picks its models now (`first`), and again whenever one of its files
 * changes (unless --no-watch). A problem is shown in place and the tool stays up; agent code
 * runs under the exit guard.
 */
function loadAndWatch(file: string, flags: DevFlags, live: LiveConsole, exits: ExitGuard) {
  const watching = flags.watch !== false;
  const load = (changed?: string) =>
    exits.during(async () => {
      try {
        const agent = await loadAgentModule(file);
        if (watching) watcher.watch(agent.files);
        // The module may ship a different demo model after an edit: choose again.
        const models = await chooseModels(flags, agent.demo);
        if (changed && live.started) await live.reload(agent, changed, models);
        else await live.start(agent, models);
      } catch (err) {
        live.showLoadError(err instanceof Error ? err.message : String(err));
      }
    });
  const watcher = new AgentWatcher((changed) => void load(changed));
  // Until the first build succeeds, watch the agent file itself so a fix is picked up.
  if (watching) watcher.watch([resolve(file)]);
  return { first: load(), close: () => watcher.close() };
}

/** Microphone and speakers, in the audio child process. */
async function openDevices(flags: DevFlags, logger: Logger): Promise<AudioLink> {
  const { openDeviceAudio } = await import('../audio/device-audio.js');
  const select = (value: string) => (/^\d+$/.test(value) ? Number(value) : value);
  const audio = await openDeviceAudio({
    ...(flags.inputDevice !== undefined ? { inputDevice: select(flags.inputDevice) } : {}),
    ...(flags.outputDevice !== undefined ? { outputDevice: select(flags.outputDevice) } : {}),
    echoCancellation: flags.aec !== false,
    log: (line) => logger.debug(`audio: ${line}`),
    note: (line) => logger.info(`audio: ${line}`),
    startTimeoutMs: 8000,
  });
  audio.onFailure((err) => logger.error(`audio device failed: ${err.message}`));
  logger.info(`audio: ${audio.inputDevice.name} → ${audio.outputDevice.name}`);
  const aec = audio.echoCancellation;
  if (aec.state === 'on') {
    logger.info(`audio: echo cancellation on (delay estimate ${aec.streamDelayMs} ms)`);
  } else if (aec.state === 'off') {
    logger.info('audio: echo cancellation off (--no-aec)');
  }
  for (const note of audio.notes) logger.warn(`audio: ${note}`);
  return audio;
}

/**
 * After a console run everything is closed, but a library may still hold a handle (a
 * provider socket, the terminal's raw mode). The terminal is restored by then, so leave
 * within a moment instead of hanging the shell.
 */
export function exitSoon(code: number): void {
  setTimeout(() => process.exit(code), 300).unref();
}
