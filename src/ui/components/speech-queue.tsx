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
  /** Lines the panel may use, its title included (each handle takes one or two). */
  maxLines?: number;
  gap?: boolean;
  /** Characters of text on a line before it is shortened (the terminal's width). */
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

/** Live handles by how close they are to the user's ear: the one holding the output first. */
const RANK: Record<SpeechItem['state'], number> = {
  playing: 0,
  paused: 0,
  interrupting: 0,
  generating: 1,
  awaiting_tools: 2,
  queued: 3,
  done: 4,
};

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

interface RowProps {
  item: SpeechItem;
  now: number;
  textWidth: number;
  /** Room for the text line under the state line. */
  withText: boolean;
}

function hasText(item: SpeechItem, now: number): boolean {
  const parts = speechTextParts(item, now);
  return Boolean(parts.spoken || parts.pending || parts.cut || item.error);
}

function SpeechRow({ item, now, textWidth, withText }: RowProps) {
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
      {withText && !item.error && (parts.spoken || parts.pending || parts.cut) ? (
        <Text wrap="truncate-end">
          {'  '}
          {/* While it plays, the cursor and what comes next stay on the line. */}
          <Text dimColor={done}>
            {oneLineTail(parts.spoken, parts.pending ? Math.floor(textWidth * 0.4) : textWidth)}
          </Text>
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
      {withText && item.error ? (
        <Text color="red" wrap="truncate-end">{`  error: ${oneLine(item.error, textWidth)}`}</Text>
      ) : null}
    </Box>
  );
}

export function SpeechQueue({
  items,
  now,
  maxDone = 3,
  maxLines = Number.POSITIVE_INFINITY,
  gap = true,
  textWidth = 160,
}: SpeechQueueProps) {
  const live = items
    .filter((s) => s.state !== 'done')
    .sort((a, b) => RANK[a.state] - RANK[b.state]);
  const done = finishedNewestFirst(items).slice(0, maxDone);
  // Live handles first, then the newest done ones, each with its text while there is room.
  const rows: { item: SpeechItem; withText: boolean }[] = [];
  let room = maxLines - 1;
  for (const item of [...live, ...done]) {
    if (room <= 0) break;
    const withText = room >= 2 && hasText(item, now);
    rows.push({ item, withText });
    room -= withText ? 2 : 1;
  }
  const hidden = live.length + done.length - rows.length;
  return (
    <Panel
      title="Speech"
      extra={`${live.length} live${hidden > 0 ? ` · ${hidden} more not shown` : ''}`}
      gap={gap}
    >
      {live.length + done.length === 0 && maxLines > 1 ? <Empty text="no speech yet" /> : null}
      {rows.map(({ item, withText }) => (
        <SpeechRow key={item.id} item={item} now={now} textWidth={textWidth} withText={withText} />
      ))}
    </Panel>
  );
}
