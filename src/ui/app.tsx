import { Box, useStdin } from 'ink';
import { Footer, footerLines } from './components/footer.js';
import { InputLine, inputLines } from './components/input-line.js';
import { useFrame } from './hooks/use-frame.js';
import { useHotkeys } from './hooks/use-hotkeys.js';
import { useLevel } from './hooks/use-level.js';
import { useLogLines } from './hooks/use-log-lines.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { useUiState } from './hooks/use-ui-state.js';
import { ROOMY_ROWS } from './layout.js';
import { SessionView } from './session-view.js';
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
  /**
   * Identifies the session on screen: when it changes, the session's panels start over (a
   * hot reload or a mode switch replaced the session).
   */
  sessionKey?: number;
  /** Called once every subscription of the session's panels is in place (again per session). */
  onReady?: () => void;
}

/**
 * Wires hooks to panels; all state lives in the hooks, all drawing in the components. What
 * outlives a session (keys, the input line, notices, logs, meters) is here; what belongs to
 * one session is in SessionView.
 */
export function App(props: AppProps) {
  const { events, controller, header, scheduler } = props;
  const frame = useFrame(scheduler, props.fps ?? 30);
  const logs = useLogLines(props.logs, frame);
  const micLevel = useLevel(props.getLevel, scheduler, 66);
  const voiceLevel = useLevel(props.getOutputLevel, scheduler, 66);
  const store = useUiState(header.mode, header.muted ?? false);
  const { isRawModeSupported } = useStdin();
  // Without a terminal (piped stdin) Ink reports `undefined`: no hotkeys then.
  useHotkeys(store, controller, isRawModeSupported === true);
  const size = useTerminalSize();
  const { ui } = store;
  const gap = size.rows >= ROOMY_ROWS;
  const waiting = header.waitingInputs ?? [];
  const reserved = footerLines(ui.notice, waiting) + (gap ? 1 : 0) + inputLines(!!ui.line, gap);
  return (
    <Box flexDirection="column">
      <SessionView
        key={props.sessionKey ?? 0}
        events={events}
        frame={frame}
        header={header}
        now={props.now}
        scheduler={scheduler}
        ui={ui}
        logs={logs}
        micLevel={micLevel}
        voiceLevel={voiceLevel}
        size={size}
        reservedLines={reserved}
        {...(props.onReady ? { onReady: props.onReady } : {})}
      />
      {ui.line ? (
        <InputLine kind={ui.line.kind} text={ui.line.text} width={size.columns} gap={gap} />
      ) : null}
      <Footer
        notice={ui.notice}
        waiting={waiting}
        keysActive={isRawModeSupported}
        width={size.columns}
        gap={gap}
      />
    </Box>
  );
}
