import { Text } from 'ink';
import type { ConversationState, Turn } from '../state/conversation.js';
import { oneLine } from './format.js';
import { Empty, Panel } from './panel.js';

export interface ConversationProps {
  state: ConversationState;
  maxTurns?: number;
  textWidth?: number;
}

function TurnRow({ turn, width }: { turn: Turn; width: number }) {
  if (turn.role === 'note') return <Text dimColor> · {oneLine(turn.text, width)}</Text>;
  if (turn.role === 'user') {
    return (
      <Text wrap="wrap">
        <Text color="blue" bold>
          you
        </Text>
        {turn.source && turn.source !== 'speech' ? <Text dimColor> ({turn.source})</Text> : null}
        {turn.waited ? <Text dimColor> (waited)</Text> : null}: {oneLine(turn.text, width)}
      </Text>
    );
  }
  return (
    <Text wrap="wrap">
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

export function Conversation({ state, maxTurns = 6, textWidth = 200 }: ConversationProps) {
  const turns = state.turns.slice(-maxTurns);
  return (
    <Panel title="Conversation">
      {turns.length === 0 && !state.interim ? <Empty text="nothing said yet" /> : null}
      {turns.map((t) => (
        <TurnRow key={t.key} turn={t} width={textWidth} />
      ))}
      {state.interim ? (
        <Text dimColor italic wrap="wrap">
          you {state.interim.final ? '(final)' : '(hearing)'}:{' '}
          {oneLine(state.interim.text, textWidth)}
        </Text>
      ) : null}
    </Panel>
  );
}
