import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { LogLevel } from '../ui/types.js';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

function providerOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--llm <provider>',
        'chat model provider, or openai-realtime: a speech-to-speech model (no STT; the TTS only for say())',
      ).choices(['openai', 'openai-realtime', 'demo']),
    )
    .option('--llm-model <name>', 'model name, e.g. gpt-4o-mini or gpt-realtime')
    .addOption(
      new Option('--tts <provider>', 'speech synthesis').choices([
        'openai',
        'deepgram',
        'espeak',
        'none',
      ]),
    )
    .option('--tts-model <name>', 'TTS model name')
    .option('--voice <name>', "TTS voice (the realtime model's voice with --llm openai-realtime)")
    .addOption(
      new Option('--stt <provider>', 'speech-to-text').choices(['deepgram', 'openai', 'none']),
    )
    .option('--stt-model <name>', 'STT model name')
    .addOption(
      new Option('--log-level <level>', 'log verbosity')
        .choices(['debug', 'info', 'warn', 'error'])
        .default('info'),
    );
}

/** Runs the CLI; resolves with the exit code. User mistakes print one line, no stack. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command('voxagent')
    .description(
      'A voice-agent runtime that cannot deadlock, with a live console for its speech queue',
    )
    .version(pkg.version)
    .showHelpAfterError('(run with --help for usage)')
    // Before any subcommand exists: subcommands copy this setting when they are created.
    .exitOverride();

  providerOptions(
    program
      .command('dev')
      .description(
        'run an agent against the microphone and speakers (or typed text) with a live console',
      )
      .argument(
        '[agent-file]',
        'TypeScript or JavaScript module exporting the agent (default: the bundled front-desk example)',
      )
      .option('--text', 'no audio devices: type to the agent, speech plays silently on the clock')
      .option('--input-device <id|name>', 'microphone (see `voxagent devices`)')
      .option('--output-device <id|name>', 'speakers (see `voxagent devices`)')
      .option(
        '--no-aec',
        'no echo cancellation (use with headphones; on speakers the agent hears itself)',
      )
      .option('--record <file>', 'write a replayable session file when the session ends')
      .option('--no-watch', 'do not reload the agent when its files change'),
  ).action(async (file: string | undefined, opts: Record<string, unknown>) => {
    const { devCommand } = await import('./dev.js');
    code = await devCommand(file, { ...opts, logLevel: opts.logLevel as LogLevel });
  });

  program
    .command('replay')
    .description('run session files on the virtual clock and check their expectations')
    .argument('<paths...>', 'session files or folders of them')
    .addOption(
      new Option('--reporter <name>', 'human report, JSON lines, JUnit XML or GitHub annotations')
        .choices(['human', 'json', 'junit', 'github'])
        .default('human'),
    )
    .option('--json', 'one JSON object per session file, one per line (--reporter json)')
    .option(
      '--events <path>',
      'write the event stream as JSON lines: a file for one session file; for several, a folder with one <name>.jsonl each',
    )
    .option(
      '--trace <path>',
      'write a Chrome trace (Perfetto, chrome://tracing): a file for one session file; for several, a folder with one <name>.trace.json each',
    )
    .option(
      '--timeout <duration>',
      'wall-clock bound per session file, covering import, run and expectations',
      '60s',
    )
    .option('--jobs <n>', 'session files replayed at the same time (default: cores, at most 4)')
    .option(
      '--judge-llm <provider[:model]>',
      'the model that judges `judge:` expectations: openai or openai:<model> (needs OPENAI_API_KEY)',
    )
    .addHelpText(
      'after',
      [
        '',
        'Each session file runs in its own worker thread: a file that exits, crashes, hangs or',
        'runs past --timeout fails alone, with one line saying where, and the others still run.',
        'Exit code: 0 all passed, 1 a file failed, 2 bad input (or a judge without a model).',
      ].join('\n'),
    )
    .action(async (paths: string[], opts: Record<string, unknown>) => {
      const { replayCommand } = await import('../replay/command.js');
      code = await replayCommand(paths, opts);
    });

  providerOptions(
    program
      .command('connect')
      .description('join a LiveKit room with the agent, with the same live console')
      .argument('<room>', 'room name')
      .argument('[agent-file]', 'agent module (default: the bundled front-desk example)')
      .option('--url <url>', 'LiveKit server URL (or LIVEKIT_URL)')
      .option('--api-key <key>', 'API key (or LIVEKIT_API_KEY)')
      .option('--api-secret <secret>', 'API secret (or LIVEKIT_API_SECRET)')
      .option('--identity <identity>', "the agent's participant identity", 'voxagent')
      .option(
        '--participant <identity>',
        'the user to listen to (default: first with a microphone)',
      )
      .option('--record <file>', 'write a replayable session file when the session ends'),
  ).action(async (room: string, file: string | undefined, opts: Record<string, unknown>) => {
    const { connectCommand } = await import('./connect.js');
    code = await connectCommand(room, file, { ...opts, logLevel: opts.logLevel as LogLevel });
  });

  // voxagent start: a LiveKit agent worker (see docs/worker.md)
  providerOptions(
    program
      .command('start')
      .description('run a worker that LiveKit dispatches rooms to (structured logs, no screen)')
      .argument('[agent-file]', 'agent module (default: the bundled front-desk example)')
      .option('--url <url>', 'LiveKit server URL (or LIVEKIT_URL)')
      .option('--api-key <key>', 'API key (or LIVEKIT_API_KEY)')
      .option('--api-secret <secret>', 'API secret (or LIVEKIT_API_SECRET)')
      .option(
        '--agent-name <name>',
        'explicit dispatch only, under this name (default: automatic, every new room)',
      )
      .option('--health-port <port>', 'HTTP port of /health and /worker (0: any free port)', '8081')
      .option('--load-threshold <0..1>', 'report full at or above this load', '0.7')
      .option('--drain-timeout <duration>', 'on SIGTERM, wait this long for running jobs', '30m')
      .option('--max-jobs <n>', 'run at most this many jobs at once (default: no limit)')
      .option('--idle-processes <n>', 'job processes kept loaded and ready (default: cores, ≤ 4)')
      .option('--job-memory-limit <MB>', 'kill a job process whose memory grows past this', '1024')
      .option(
        '--job-unresponsive-timeout <duration>',
        'kill a job process whose event loop is blocked this long',
        '30s',
      )
      .addOption(
        new Option(
          '--log-format <format>',
          'json or text (default: text on a terminal, else json)',
        ).choices(['json', 'text']),
      ),
  )
    // One line for a bad option, not a usage hint after it.
    .showHelpAfterError(false)
    .action(async (file: string | undefined, opts: Record<string, unknown>) => {
      const { startCommand } = await import('./start.js');
      code = await startCommand(file, opts, pkg.version);
    });

  program
    .command('devices')
    .description('list audio devices')
    .action(async () => {
      const { devicesCommand } = await import('./devices.js');
      code = await devicesCommand();
    });

  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    const name = (err as { code?: string }).code;
    if (
      name === 'commander.helpDisplayed' ||
      name === 'commander.version' ||
      name === 'commander.help'
    )
      return 0;
    if (name?.startsWith('commander.')) return 2;
    return reportFailure(err);
  }
}

function reportFailure(err: unknown): number {
  const error = err instanceof Error ? err : new Error(String(err));
  const known = [
    'UsageError',
    'AgentLoadError',
    'SessionFileError',
    'AudioDeviceError',
    'LiveKitSettingsError',
    'LiveKitConnectError',
  ];
  if (known.includes(error.name)) {
    console.error(`voxagent: ${error.message}`);
    return (error as { exitCode?: number }).exitCode ?? 2;
  }
  console.error(
    `voxagent: unexpected error (a bug, please report it):\n${error.stack ?? error.message}`,
  );
  return 1;
}
