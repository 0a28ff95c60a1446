import { Box, Text } from 'ink';
import type { SessionInfoState } from '../state/session.js';
import type { HeaderInfo, InputMode } from '../types.js';

export interface HeaderProps {
  info: HeaderInfo;
  session: SessionInfoState;
  /** Models the session itself reported, used when the caller passed none. */
  sessionModels: Readonly<Record<string, string>>;
  mode: InputMode;
  muted: boolean;
}

const STATUS_COLOR = {
  starting: 'yellow',
  running: 'green',
  closing: 'yellow',
  closed: 'red',
} as const;

export function Header({ info, session, sessionModels, mode, muted }: HeaderProps) {
  const models = info.models.length
    ? info.models
    : Object.entries(sessionModels).map(([role, name]) => ({ role, name, why: undefined }));
  const status = info.loadError ? 'load failed' : session.status;
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold color="cyan">
          {info.title ?? 'voxagent'}
        </Text>
        {' · agent '}
        <Text bold>{session.agentName ?? info.agentName}</Text>
        {' · '}
        <Text color={info.loadError ? 'red' : STATUS_COLOR[session.status]}>{status}</Text>
        {session.reason ? <Text dimColor> ({session.reason})</Text> : null}
        {' · mode '}
        <Text bold>{mode}</Text>
        {mode === 'audio' ? (
          <Text color={muted ? 'red' : 'green'}> mic {muted ? 'muted' : 'on'}</Text>
        ) : null}
      </Text>
      {models.length ? (
        <Text wrap="wrap">
          <Text dimColor>models </Text>
          {models.map((m, i) => (
            <Text key={m.role}>
              {i ? ' · ' : ''}
              {m.role} <Text bold>{m.name}</Text>
              {m.why ? <Text dimColor> ({m.why})</Text> : null}
            </Text>
          ))}
        </Text>
      ) : null}
      {(info.notes ?? []).map((note) => (
        <Text key={note} color="yellow">
          note: {note}
        </Text>
      ))}
      {info.logFile ? <Text dimColor>log: {info.logFile}</Text> : null}
      {info.reloadNotice ? <Text color="cyan">↻ {info.reloadNotice}</Text> : null}
      {info.loadError ? (
        <Text color="red" wrap="wrap">
          ✗ agent failed to load: {info.loadError}
        </Text>
      ) : null}
    </Box>
  );
}
