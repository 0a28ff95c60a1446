import { Box, Text } from 'ink';
import type { Alert, AlertsState } from '../state/alerts.js';
import { oneLine } from './format.js';

export interface AlertsProps {
  state: AlertsState;
  maxAlerts?: number;
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
export function Alerts({ state, maxAlerts = 3 }: AlertsProps) {
  const { deadlock } = state;
  const items = state.items.slice(-maxAlerts).reverse();
  if (!deadlock && items.length === 0) return null;
  return (
    <Box flexDirection="column" marginTop={1}>
      {deadlock ? (
        <Box flexDirection="column" borderStyle="double" borderColor="red" paddingX={1}>
          <Text bold color="red">
            DEADLOCK: {deadlock.cycle.join(' → ')}
            {deadlock.cycle.length ? ` → ${deadlock.cycle[0]}` : ''}
          </Text>
          <Text wrap="wrap">{deadlock.description}</Text>
          {deadlock.openWaits.map((w) => (
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
