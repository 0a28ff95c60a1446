import type { ScreenPlan } from '../layout.js';
import type { ConversationState } from '../state/conversation.js';
import type { LogsState } from '../state/logs.js';
import type { MetricsState } from '../state/metrics.js';
import type { SpeechQueueState } from '../state/speech.js';
import type { TasksState } from '../state/tasks.js';
import type { ToolsState } from '../state/tools.js';
import { Conversation } from './conversation.js';
import { LogPanel } from './log-panel.js';
import { Metrics } from './metrics.js';
import { SpeechQueue } from './speech-queue.js';
import { Tasks } from './tasks.js';
import { Tools } from './tools.js';

export interface PanelsProps {
  plan: ScreenPlan;
  /** Terminal width. */
  width: number;
  now: number;
  speech: SpeechQueueState;
  tools: ToolsState;
  tasks: TasksState;
  conversation: ConversationState;
  metrics: MetricsState;
  /** The log panel's lines, or null while it is hidden. */
  logs: LogsState | null;
  logFile: string | undefined;
  micLevel: number | null;
  voiceLevel: number | null;
  muted: boolean;
}

/** The session's panels, each in the lines the plan gives it (none: not drawn). */
export function Panels(p: PanelsProps) {
  const { gap, panels } = p.plan;
  return (
    <>
      {panels.speech > 0 ? (
        <SpeechQueue
          items={p.speech.items}
          now={p.now}
          maxDone={6}
          maxLines={panels.speech}
          gap={gap}
          textWidth={p.width - 4}
        />
      ) : null}
      {panels.tools > 0 ? (
        <Tools
          calls={p.tools.calls}
          now={p.now}
          maxFinished={5}
          maxLines={panels.tools}
          gap={gap}
        />
      ) : null}
      {panels.tasks > 0 ? (
        <Tasks state={p.tasks} now={p.now} maxFinished={3} maxLines={panels.tasks} gap={gap} />
      ) : null}
      {panels.conversation > 0 ? (
        <Conversation
          state={p.conversation}
          maxTurns={10}
          maxLines={panels.conversation}
          gap={gap}
          textWidth={p.width}
        />
      ) : null}
      {panels.metrics > 0 ? (
        <Metrics
          state={p.metrics}
          level={p.micLevel}
          outputLevel={p.voiceLevel}
          muted={p.muted}
          maxLines={panels.metrics}
          gap={gap}
        />
      ) : null}
      {p.logs && panels.logs > 0 ? (
        <LogPanel state={p.logs} logFile={p.logFile} maxLines={panels.logs - 1} gap={gap} />
      ) : null}
    </>
  );
}
