import { Box, Text } from 'ink';
import { finishedNewestFirst, type SpeechItem } from '../state/speech.js';
import { speechTextParts } from '../state/speech-text.js';
import { formatMs, oneLine, oneLineTail } from './format.js';
import { Empty, Panel } from './panel.js';

export interface SpeechQueueProps {
  items: readonly SpeechItem[];
  now: number;
  /** Done handles shown, newest first (the state keeps more). */
  maxDone?: number;
  /** Characters of text per part before it is shortened. */
  textWidth?: number;
}

const ICON = {
  queued: '…',
  generating: '✎',
  playing: '▶',
  paused: '⏸',
  awaiting_tools: '⚙',
  interrupting: '⏹',
  completed: '✓',
  interrupted: '✂',
  failed: '✗',
} as const;

function stateLabel(s: SpeechItem): string {
  if (s.state !== 'done') return s.state.replace('_', ' ');
  return `done ${s.end ?? ''}`.trim();
}

/** Who asked for the speech: the tool or task when one did, else the origin of the request. */
function origin(s: SpeechItem): string {
  if (s.originToolCallId) return ` ← tool ${s.originToolCallId}`;
  if (s.originTaskId) return ` ← task ${s.originTaskId}`;
  return s.origin ? ` ← ${s.origin}` : '';
}

function SpeechRow({ item, now, textWidth }: { item: SpeechItem; now: number; textWidth: number }) {
  const parts = speechTextParts(item, now);
  const age = (item.doneAt ?? now) - item.createdAt;
  const icon = ICON[item.state === 'done' ? (item.end ?? 'completed') : item.state];
  const done = item.state === 'done';
  const live = item.state === 'playing' || item.state === 'paused';
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end" dimColor={done}>
        {icon} {item.id} <Text bold={!done}>{stateLabel(item)}</Text> · {item.source}
        {origin(item)} · {item.agentId} · {formatMs(age)}
        {live || done ? ` · heard ${formatMs(parts.playedMs)}` : ''}
        {item.allowInterruptions ? '' : ' · ⊘ uninterruptible'}
        {item.interruptedBy ? ` · by ${item.interruptedBy}${item.forced ? ' (forced)' : ''}` : ''}
        {item.falseInterruptions ? ` · false interruptions ${item.falseInterruptions}` : ''}
        {item.awaitingToolCallIds.length ? ` · waits ${item.awaitingToolCallIds.join(', ')}` : ''}
      </Text>
      {parts.spoken || parts.pending || parts.cut ? (
        <Text wrap="wrap">
          {'  '}
          <Text dimColor={done}>{oneLineTail(parts.spoken, textWidth)}</Text>
          {live ? <Text color="green"> ▸ </Text> : null}
          {parts.pending ? <Text dimColor>{oneLine(parts.pending, textWidth)}</Text> : null}
          {parts.cut ? (
            <Text color="red">
              {' ✂ '}
              <Text strikethrough>{oneLine(parts.cut, textWidth)}</Text>
            </Text>
          ) : null}
        </Text>
      ) : null}
      {item.error ? <Text color="red">{`  error: ${oneLine(item.error, textWidth)}`}</Text> : null}
    </Box>
  );
}

export function SpeechQueue({ items, now, maxDone = 3, textWidth = 160 }: SpeechQueueProps) {
  const live = items.filter((s) => s.state !== 'done');
  const done = finishedNewestFirst(items).slice(0, maxDone);
  return (
    <Panel title="Speech" extra={`${live.length} live`}>
      {live.length + done.length === 0 ? <Empty text="no speech yet" /> : null}
      {[...live, ...done].map((s) => (
        <SpeechRow key={s.id} item={s} now={now} textWidth={textWidth} />
      ))}
    </Panel>
  );
}
