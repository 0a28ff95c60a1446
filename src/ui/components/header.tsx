import { Box, Text } from 'ink';
import type { SessionInfoState } from '../state/session.js';
import type { HeaderInfo, InputMode, ModelInfo } from '../types.js';
import { wrapLines } from './format.js';

export interface HeaderProps {
  info: HeaderInfo;
  session: SessionInfoState;
  /** Models the session itself reported, used when the caller passed none. */
  sessionModels: Readonly<Record<string, string>>;
  mode: InputMode;
  muted: boolean;
  /** Terminal width: long lines are cut to it, a load error wraps over at most three lines. */
  width?: number;
}

/** Lines of a load error at most: enough for a file:line:col and the compiler's message. */
const MAX_ERROR_LINES = 3;

function modelsOf(info: HeaderInfo, sessionModels: Readonly<Record<string, string>>): ModelInfo[] {
  return info.models.length
    ? info.models
    : Object.entries(sessionModels).map(([role, name]) => ({ role, name }));
}

/** Lines the header takes for this info: the screen plan counts them before drawing. */
export function headerLines(
  info: HeaderInfo,
  sessionModels: Readonly<Record<string, string>>,
  width: number,
): number {
  const error = info.loadError ? errorLines(info.loadError, width).length : 0;
  return (
    1 +
    (modelsOf(info, sessionModels).length ? 1 : 0) +
    (info.notes?.length ?? 0) +
    (info.logFile ? 1 : 0) +
    (info.sessionNotice ? 1 : 0) +
    error
  );
}

function errorLines(error: string, width: number): string[] {
  return wrapLines(`✗ agent failed to load: ${error}`, width, MAX_ERROR_LINES);
}

/** The model list, with why each was picked when that fits on the line. */
function modelsText(models: readonly ModelInfo[], width: number, withWhy: boolean): string {
  const text = models
    .map((m) => `${m.role} ${m.name}${withWhy && m.why ? ` (${m.why})` : ''}`)
    .join(' · ');
  return withWhy && text.length + 7 > width ? modelsText(models, width, false) : text;
}

const STATUS_COLOR = {
  starting: 'yellow',
  running: 'green',
  closing: 'yellow',
  closed: 'red',
} as const;

export function Header({ info, session, sessionModels, mode, muted, width = 200 }: HeaderProps) {
  const models = modelsOf(info, sessionModels);
  const status = info.loadError ? 'load failed' : session.status;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
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
        <Text wrap="truncate-end">
          <Text dimColor>models </Text>
          {modelsText(models, width, true)}
        </Text>
      ) : null}
      {(info.notes ?? []).map((note) => (
        <Text key={note} color="yellow" wrap="truncate-end">
          note: {note}
        </Text>
      ))}
      {info.logFile ? (
        <Text dimColor wrap="truncate-end">
          log: {info.logFile}
        </Text>
      ) : null}
      {info.sessionNotice ? (
        <Text color="cyan" wrap="truncate-end">
          ↻ {info.sessionNotice}
        </Text>
      ) : null}
      {info.loadError
        ? errorLines(info.loadError, width).map((line, i) => (
            // The lines of one message: their position is their identity.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <Text key={i} color="red" wrap="truncate-end">
              {line}
            </Text>
          ))
        : null}
    </Box>
  );
}
