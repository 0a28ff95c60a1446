import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogLevel } from '../ui/types.js';
import { loadAgentModule } from './agent-bundle.js';
import { AgentWatcher } from './agent-watcher.js';
import { type AudioLink, LiveConsole } from './live-console.js';
import { Logger } from './logger.js';
import { chooseModels, type ProviderFlags } from './providers.js';

export interface DevFlags extends ProviderFlags {
  text?: boolean;
  inputDevice?: string;
  outputDevice?: string;
  record?: string;
  logLevel?: LogLevel;
  watch?: boolean;
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
  const logger = new Logger({
    name: 'dev',
    level: flags.logLevel ?? 'info',
    secrets: [process.env.OPENAI_API_KEY, process.env.DEEPGRAM_API_KEY],
  });
  const agent = await loadAgentModule(file);
  const models = await chooseModels(flags, agent.demo);
  const live = new LiveConsole({
    title: 'voxagent dev',
    mode: flags.text ? 'text' : 'audio',
    openAudio: () => openDevices(flags, logger),
    ...(flags.record !== undefined ? { record: flags.record } : {}),
    logger,
    models,
  });
  const watcher = new AgentWatcher((changed) => {
    loadAgentModule(file)
      .then(async (next) => {
        watcher.watch(next.files);
        // The new module may ship a different demo model: choose again.
        return live.reload(next, changed, await chooseModels(flags, next.demo));
      })
      .catch((err: unknown) =>
        live.showLoadError(err instanceof Error ? err.message : String(err)),
      );
  });
  if (flags.watch !== false) watcher.watch(agent.files);
  const onSignal = () => void live.quit(0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await live.start(agent);
    const code = await live.exited;
    exitSoon(code);
    return code;
  } finally {
    watcher.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await logger.close();
  }
}

/** Microphone and speakers, in the audio child process. */
async function openDevices(flags: DevFlags, logger: Logger): Promise<AudioLink> {
  const { openDeviceAudio } = await import('../audio/device-audio.js');
  const select = (value: string) => (/^\d+$/.test(value) ? Number(value) : value);
  const audio = await openDeviceAudio({
    ...(flags.inputDevice !== undefined ? { inputDevice: select(flags.inputDevice) } : {}),
    ...(flags.outputDevice !== undefined ? { outputDevice: select(flags.outputDevice) } : {}),
    log: (line) => logger.debug(`audio: ${line}`),
    startTimeoutMs: 8000,
  });
  audio.onFailure((err) => logger.error(`audio device failed: ${err.message}`));
  logger.info(`audio: ${audio.inputDevice.name} → ${audio.outputDevice.name}`);
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
