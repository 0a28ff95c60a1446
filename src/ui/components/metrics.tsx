import { Box, Text } from 'ink';
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

/** Short names of the latency parts, in the order they happen. */
const PART_LABELS: [keyof NonNullable<TurnMetrics['parts']>, string][] = [
  ['transcriptionMs', 'stt'],
  ['endpointingMs', 'endpointing'],
  ['hookMs', 'hook'],
  ['queueMs', 'queue'],
  ['toolsMs', 'tools'],
  ['llmTtftMs', 'llm ttft'],
  ['llmSentenceMs', 'llm sentence'],
  ['ttsTtfbMs', 'tts'],
  ['outputMs', 'output'],
];

/** Where the latest turn's e2e went: its non-zero parts, the endpointing setting named. */
function Breakdown({ m }: { m: TurnMetrics }) {
  const parts = m.parts;
  if (!parts) return null;
  const shown = PART_LABELS.filter(([key]) => parts[key] > 0).map(([key, label]) => {
    const setting =
      key === 'endpointingMs' && m.endpointingSetting ? ` (${m.endpointingSetting})` : '';
    return `${label} ${formatMs(parts[key])}${setting}`;
  });
  return (
    <Text wrap="truncate-end" dimColor>
      {'    = '}
      {shown.join(' + ') || 'nothing'}
    </Text>
  );
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
        .map((m, i) => (
          <Box key={m.key} flexDirection="column">
            <TurnLine m={m} />
            {i === 0 ? <Breakdown m={m} /> : null}
          </Box>
        ))}
    </Panel>
  );
}
