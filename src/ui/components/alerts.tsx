import { Box, Text } from 'ink';
import type { Alert, AlertsState } from '../state/alerts.js';
import { oneLine } from './format.js';

export interface AlertsProps {
  state: AlertsState;
  maxAlerts?: number;
  /** Lines the alerts may use (a deadlock box takes four and one per open wait). */
  maxLines?: number;
  gap?: boolean;
}

/** Lines a deadlock box takes without its open waits: two borders, the cycle, the description. */
export const DEADLOCK_LINES = 4;

/** Lines the alerts would use with no limit: what the screen plan is asked for. */
export function alertLines(state: AlertsState, maxAlerts: number): number {
  const deadlock = state.deadlock ? DEADLOCK_LINES + state.deadlock.openWaits.length : 0;
  return deadlock + Math.min(maxAlerts, state.items.length);
}

function AlertRow({ alert }: { alert: Alert }) {
  const error = alert.level === 'error';
  return (
    <Text wrap="truncate-end" color={error ? 'red' : 'yellow'}>
      {error ? '✗' : '⚠'} {alert.level} {alert.code}
      {alert.source ? ` [${alert.source}]` : ''}
      {alert.status !== null ? ` (${alert.status})` : ''}
      {alert.speechId ? ` ${alert.speechId}` : ''}: {oneLine(alert.message, 160)}
      {alert.count > 1 ? ` ×${alert.count}` : ''}
      {error && !alert.recoverable ? ' (fatal)' : ''}
    </Text>
  );
}

/** Problems first: a deadlock stays pinned at the top until the session ends. */
export function Alerts({
  state,
  maxAlerts = 3,
  maxLines = Number.POSITIVE_INFINITY,
  gap = true,
}: AlertsProps) {
  const { deadlock } = state;
  const waits = deadlock ? deadlock.openWaits.slice(0, Math.max(0, maxLines - DEADLOCK_LINES)) : [];
  const room = maxLines - (deadlock ? DEADLOCK_LINES + waits.length : 0);
  const count = Math.max(0, Math.min(maxAlerts, room));
  const items = count === 0 ? [] : state.items.slice(-count).reverse();
  if ((!deadlock && items.length === 0) || maxLines <= 0) return null;
  return (
    <Box flexDirection="column" marginTop={gap ? 1 : 0}>
      {deadlock ? (
        <Box flexDirection="column" borderStyle="double" borderColor="red" paddingX={1}>
          <Text bold color="red" wrap="truncate-end">
            DEADLOCK: {deadlock.cycle.join(' → ')}
            {deadlock.cycle.length ? ` → ${deadlock.cycle[0]}` : ''}
          </Text>
          <Text wrap="truncate-end">{deadlock.description}</Text>
          {waits.map((w) => (
            <Text key={w} dimColor wrap="truncate-end">
              waiting: {w}
            </Text>
          ))}
        </Box>
      ) : null}
      {items.map((a) => (
        <AlertRow key={`${a.level}:${a.code}:${a.message}`} alert={a} />
      ))}
    </Box>
  );
}
