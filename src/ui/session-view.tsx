/**
 * Everything on screen that belongs to one session: the header, the alerts and the panels.
 * The App mounts it again (a new `key`) when a new session replaces the old one, so nothing of
 * the old session (its speech ids, tools, turns) mixes into the new one's panels.
 */
import { Box } from 'ink';
import { useEffect } from 'react';
import { Alerts, alertLines, DEADLOCK_LINES } from './components/alerts.js';
import { Header, headerLines } from './components/header.js';
import { Help } from './components/help.js';
import { Panels } from './components/panels.js';
import { useAlerts } from './hooks/use-alerts.js';
import { useConversation } from './hooks/use-conversation.js';
import { useMetrics } from './hooks/use-metrics.js';
import { useNow } from './hooks/use-now.js';
import { useSessionInfo } from './hooks/use-session-info.js';
import { useSpeechQueue } from './hooks/use-speech-queue.js';
import { useTasks } from './hooks/use-tasks.js';
import type { TerminalSize } from './hooks/use-terminal-size.js';
import { useTools } from './hooks/use-tools.js';
import { planScreen } from './layout.js';
import type { FrameBatcher } from './scheduler.js';
import type { LogsState } from './state/logs.js';
import type { UiState } from './state/ui.js';
import type { HeaderInfo, Scheduler, SessionEventSource } from './types.js';

/** Alerts listed at most (a deadlock box comes on top). */
const MAX_ALERTS = 3;

export interface SessionViewProps {
  events: SessionEventSource;
  frame: FrameBatcher;
  header: HeaderInfo;
  now: () => number;
  scheduler: Scheduler;
  ui: UiState;
  logs: LogsState;
  /** Microphone and agent voice levels (0..1), null without a meter. */
  micLevel: number | null;
  voiceLevel: number | null;
  size: TerminalSize;
  /** Lines below this view (input line, footer): the plan leaves them free. */
  reservedLines: number;
  /** Called once every subscription of this view is in place. */
  onReady?: () => void;
}

export function SessionView(props: SessionViewProps) {
  const { events, frame, header, scheduler, ui, size } = props;
  const session = useSessionInfo(events, frame);
  const speech = useSpeechQueue(events, frame);
  const tools = useTools(events, frame);
  const tasks = useTasks(events, frame);
  const conversation = useConversation(events, frame);
  const metrics = useMetrics(events, frame);
  const alerts = useAlerts(events, frame);
  const moving =
    speech.items.some((s) => s.playingSince !== null) ||
    tools.calls.some((c) => c.finishedAt === null) ||
    tasks.tasks.some((k) => k.status === 'running');
  const now = useNow(props.now, scheduler, 100, moving);
  const { onReady } = props;
  // Declared after every subscribing hook, so it runs after their effects.
  useEffect(() => onReady?.(), [onReady]);
  const plan = planScreen({
    rows: size.rows,
    fixedLines: headerLines(header, metrics.models, size.columns) + props.reservedLines,
    alertLines: alertLines(alerts, MAX_ALERTS),
    pinnedAlertLines: alerts.deadlock ? DEADLOCK_LINES : 0,
    showLogs: ui.showLogs,
  });
  const { gap } = plan;
  const width = size.columns;
  return (
    <Box flexDirection="column">
      <Header
        info={header}
        session={session}
        sessionModels={metrics.models}
        mode={ui.mode}
        muted={ui.muted}
        width={width}
      />
      <Alerts state={alerts} maxAlerts={MAX_ALERTS} maxLines={plan.alerts} gap={gap} />
      {ui.showHelp ? (
        <Help maxLines={plan.free} gap={gap} />
      ) : (
        <Panels
          plan={plan}
          width={width}
          now={now}
          speech={speech}
          tools={tools}
          tasks={tasks}
          conversation={conversation}
          metrics={metrics}
          logs={ui.showLogs ? props.logs : null}
          logFile={header.logFile}
          micLevel={ui.mode === 'audio' ? props.micLevel : null}
          voiceLevel={props.voiceLevel}
          muted={ui.muted}
        />
      )}
    </Box>
  );
}
