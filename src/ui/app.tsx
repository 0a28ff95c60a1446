import { Box, useStdin, useStdout } from 'ink';
import { useEffect } from 'react';
import { Alerts } from './components/alerts.js';
import { Conversation } from './components/conversation.js';
import { Footer } from './components/footer.js';
import { Header } from './components/header.js';
import { Help } from './components/help.js';
import { InputLine } from './components/input-line.js';
import { LogPanel } from './components/log-panel.js';
import { Metrics } from './components/metrics.js';
import { SpeechQueue } from './components/speech-queue.js';
import { Tasks } from './components/tasks.js';
import { Tools } from './components/tools.js';
import { useAlerts } from './hooks/use-alerts.js';
import { useConversation } from './hooks/use-conversation.js';
import { useFrame } from './hooks/use-frame.js';
import { useHotkeys } from './hooks/use-hotkeys.js';
import { useLevel } from './hooks/use-level.js';
import { useLogLines } from './hooks/use-log-lines.js';
import { useMetrics } from './hooks/use-metrics.js';
import { useNow } from './hooks/use-now.js';
import { useSessionInfo } from './hooks/use-session-info.js';
import { useSpeechQueue } from './hooks/use-speech-queue.js';
import { useTasks } from './hooks/use-tasks.js';
import { useTools } from './hooks/use-tools.js';
import { useUiState } from './hooks/use-ui-state.js';
import type {
  ConsoleController,
  HeaderInfo,
  LogSource,
  Scheduler,
  SessionEventSource,
} from './types.js';

export interface AppProps {
  events: SessionEventSource;
  controller: ConsoleController;
  header: HeaderInfo;
  /** Session time (ms), e.g. `() => session.clock.now()`. */
  now: () => number;
  scheduler: Scheduler;
  /** Microphone level (linear RMS, 0..1). */
  getLevel?: () => number;
  /** Level of the agent's voice as it plays (linear RMS, 0..1). */
  getOutputLevel?: () => number;
  logs?: LogSource;
  /** Most renders per second caused by events. */
  fps?: number;
  /** Called once every subscription is in place. */
  onReady?: () => void;
}

/** Wires hooks to panels; all state lives in the hooks, all drawing in the components. */
export function App(props: AppProps) {
  const { events, controller, header, scheduler } = props;
  const frame = useFrame(scheduler, props.fps ?? 30);
  const session = useSessionInfo(events, frame);
  const speech = useSpeechQueue(events, frame);
  const tools = useTools(events, frame);
  const tasks = useTasks(events, frame);
  const conversation = useConversation(events, frame);
  const metrics = useMetrics(events, frame);
  const alerts = useAlerts(events, frame);
  const logs = useLogLines(props.logs, frame);
  const level = useLevel(props.getLevel, scheduler, 66);
  const outputLevel = useLevel(props.getOutputLevel, scheduler, 66);
  const store = useUiState(header.mode, header.muted ?? false);
  const { isRawModeSupported } = useStdin();
  // Without a terminal (piped stdin) Ink reports `undefined`: no hotkeys then.
  useHotkeys(store, controller, isRawModeSupported === true);
  const moving =
    speech.items.some((s) => s.playingSince !== null) ||
    tools.calls.some((c) => c.finishedAt === null) ||
    tasks.tasks.some((k) => k.status === 'running');
  const now = useNow(props.now, scheduler, 100, moving);
  const { onReady } = props;
  // Declared after every subscribing hook, so it runs after their effects.
  useEffect(() => onReady?.(), [onReady]);
  const { ui } = store;
  // Taller than the terminal, Ink redraws the whole screen every frame: trim on small ones.
  const rows = useStdout().stdout.rows ?? 50;
  const n = rows < 40 ? 1 : 3;

  return (
    <Box flexDirection="column">
      <Header
        info={header}
        session={session}
        sessionModels={metrics.models}
        mode={ui.mode}
        muted={ui.muted}
      />
      <Alerts state={alerts} maxAlerts={n} />
      {ui.showHelp ? (
        <Help />
      ) : (
        <>
          <SpeechQueue items={speech.items} now={now} maxDone={n} />
          <Tools calls={tools.calls} now={now} maxFinished={n} />
          <Tasks state={tasks} now={now} maxFinished={n} />
          <Conversation state={conversation} maxTurns={2 * n} />
          <Metrics
            state={metrics}
            level={level}
            outputLevel={outputLevel}
            muted={ui.muted}
            maxTurns={n}
          />
          {ui.showLogs ? (
            <LogPanel state={logs} logFile={header.logFile} maxLines={rows < 40 ? 4 : 8} />
          ) : null}
        </>
      )}
      {ui.line ? <InputLine kind={ui.line.kind} text={ui.line.text} /> : null}
      <Footer notice={ui.notice} keysActive={isRawModeSupported} />
    </Box>
  );
}
