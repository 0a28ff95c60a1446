import { Text } from 'ink';
import type { MetricsState, TurnMetrics } from '../state/metrics.js';
import { formatMs, levelBar } from './format.js';
import { Panel } from './panel.js';

export interface MetricsProps {
  state: MetricsState;
  /** Microphone level 0..1, or null when there is no meter. */
  level: number | null;
  muted: boolean;
  maxTurns?: number;
}

function TurnLine({ m }: { m: TurnMetrics }) {
  return (
    <Text wrap="truncate-end">
      {'  '}
      <Text dimColor>{m.key}</Text> eou {formatMs(m.eouMs)} · llm ttft {formatMs(m.llmTtftMs)} · tts
      ttfb {formatMs(m.ttsTtfbMs)} · <Text bold>e2e {formatMs(m.e2eMs)}</Text>
    </Text>
  );
}

export function Metrics({ state, level, muted, maxTurns = 3 }: MetricsProps) {
  return (
    <Panel title="Metrics">
      <Text wrap="truncate-end">
        {'  agent '}
        <Text bold>{state.agentState ?? '–'}</Text>
        {' · user '}
        <Text bold>{state.userState ?? '–'}</Text>
        {level !== null ? (
          <Text>
            {' · mic '}
            {muted ? (
              <Text color="red">muted</Text>
            ) : (
              <Text color="green">{levelBar(level, 20)}</Text>
            )}
          </Text>
        ) : null}
        {state.sttLatencyMs !== null ? ` · stt ${formatMs(state.sttLatencyMs)}` : ''}
      </Text>
      {state.turns
        .slice(-maxTurns)
        .reverse()
        .map((m) => (
          <TurnLine key={m.key} m={m} />
        ))}
    </Panel>
  );
}
