import { Text } from 'ink';
import type { ConversationState, Turn } from '../state/conversation.js';
import { oneLine } from './format.js';
import { Empty, Panel } from './panel.js';

export interface ConversationProps {
  state: ConversationState;
  maxTurns?: number;
  /** Lines the panel may use, its title included (one per turn, newest kept). */
  maxLines?: number;
  gap?: boolean;
  textWidth?: number;
}

function TurnRow({ turn, width }: { turn: Turn; width: number }) {
  if (turn.role === 'note') {
    return (
      <Text dimColor wrap="truncate-end">
        {' '}
        · {oneLine(turn.text, width)}
      </Text>
    );
  }
  if (turn.role === 'user') {
    return (
      <Text wrap="truncate-end">
        <Text color="blue" bold>
          you
        </Text>
        {turn.source && turn.source !== 'speech' ? <Text dimColor> ({turn.source})</Text> : null}
        {turn.waited ? <Text dimColor> (waited)</Text> : null}: {oneLine(turn.text, width)}
      </Text>
    );
  }
  return (
    <Text wrap="truncate-end">
      <Text color="magenta" bold>
        agent
      </Text>
      : {oneLine(turn.text, width)}
      {turn.cut ? (
        <Text color="red">
          {' ✂ '}
          <Text strikethrough>{oneLine(turn.cut, width)}</Text>
        </Text>
      ) : null}
      {turn.interrupted ? (
        <Text color="yellow">
          {' '}
          [interrupted{turn.interruptedBy ? ` by ${turn.interruptedBy}` : ''}]
        </Text>
      ) : null}
      {turn.failed ? <Text color="red"> [failed]</Text> : null}
    </Text>
  );
}

export function Conversation({
  state,
  maxTurns = 6,
  maxLines = Number.POSITIVE_INFINITY,
  gap = true,
  textWidth = 200,
}: ConversationProps) {
  const room = Math.max(0, maxLines - 1 - (state.interim ? 1 : 0));
  const turns = room === 0 ? [] : state.turns.slice(-Math.min(maxTurns, room));
  return (
    <Panel title="Conversation" gap={gap}>
      {turns.length === 0 && !state.interim && maxLines > 1 ? (
        <Empty text="nothing said yet" />
      ) : null}
      {turns.map((t) => (
        <TurnRow key={t.key} turn={t} width={textWidth} />
      ))}
      {state.interim && maxLines > 1 ? (
        <Text dimColor italic wrap="truncate-end">
          you {state.interim.final ? '(final)' : '(hearing)'}:{' '}
          {oneLine(state.interim.text, textWidth)}
        </Text>
      ) : null}
    </Panel>
  );
}
