import { Box, Text } from 'ink';
import type { MetricsState, TurnMetrics } from '../state/metrics.js';
import { formatMs, levelBar } from './format.js';
import { Panel } from './panel.js';

export interface MetricsProps {
  state: MetricsState;
  /** Microphone level 0..1, or null when there is no meter. */
  level: number | null;
  /** Level of the agent's voice as it plays, 0..1, or null when there is no meter. */
  outputLevel?: number | null;
  muted: boolean;
  maxTurns?: number;
  /** Lines the panel may use: its title, the states, then one per turn. */
  maxLines?: number;
  gap?: boolean;
}

/** Characters per level bar: two bars and the states fit on an 80-column line. */
const BAR = 12;

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

/** Tokens in (prompt) and out (completion) of one turn, or nothing before a model answered. */
export function formatTokens(m: TurnMetrics): string {
  if (m.promptTokens === null || m.completionTokens === null) return '';
  return ` · tokens ${m.promptTokens}→${m.completionTokens}`;
}

function TurnLine({ m }: { m: TurnMetrics }) {
  return (
    <Text wrap="truncate-end">
      {'  '}
      <Text dimColor>{m.key}</Text> <Text bold>e2e {formatMs(m.e2eMs)}</Text> · eou{' '}
      {formatMs(m.eouMs)} · llm ttft {formatMs(m.llmTtftMs)} · tts ttfb {formatMs(m.ttsTtfbMs)}
      {formatTokens(m)}
    </Text>
  );
}

export function Metrics({
  state,
  level,
  outputLevel = null,
  muted,
  maxTurns = 3,
  maxLines = Number.POSITIVE_INFINITY,
  gap = true,
}: MetricsProps) {
  const rows = Math.max(0, maxLines - 2);
  // The latest turn's breakdown takes a line of its own when there is room for it.
  const breakdown = rows >= 2 && state.turns.at(-1)?.parts ? 1 : 0;
  const turns = Math.max(0, Math.min(maxTurns, rows - breakdown));
  return (
    <Panel title="Metrics" gap={gap}>
      <Text wrap="truncate-end">
        {'  user '}
        <Text bold>{state.userState ?? '–'}</Text>
        {level !== null ? (
          <Text>
            {' · mic '}
            {muted ? (
              <Text color="red">muted</Text>
            ) : (
              <Text color="green">{levelBar(level, BAR)}</Text>
            )}
          </Text>
        ) : null}
        {' · agent '}
        <Text bold>{state.agentState ?? '–'}</Text>
        {outputLevel !== null ? (
          <Text>
            {' · voice '}
            <Text color="magenta">{levelBar(outputLevel, BAR)}</Text>
          </Text>
        ) : null}
        {state.sttLatencyMs !== null ? ` · stt ${formatMs(state.sttLatencyMs)}` : ''}
      </Text>
      {(turns === 0 ? [] : state.turns.slice(-turns)).reverse().map((m, i) => (
        <Box key={m.key} flexDirection="column">
          <TurnLine m={m} />
          {i === 0 && breakdown ? <Breakdown m={m} /> : null}
        </Box>
      ))}
    </Panel>
  );
}
