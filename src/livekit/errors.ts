/**
 * The one-line errors of joining a room. rtc-node reports every failure as a `ConnectError`
 * whose text comes from the Rust engine; `classifyConnectError` turns the texts a user can
 * cause into a sentence that says what to check.
 */
import { UsageError } from '../runtime/core/errors.js';

export type RoomErrorKind =
  | 'unreachable' // nothing listens at the URL, or the host does not resolve
  | 'not_livekit' // something answered, but not a LiveKit server
  | 'unauthorized' // the server refused the token (key / secret / grant)
  | 'room_not_found' // the room does not exist and the server does not create rooms
  | 'timeout' // no answer within the connect bound
  | 'connection_lost' // connected, then the connection died and could not come back
  | 'failed'; // anything else

/** A LiveKit error a user can act on: shown as one line, never with a stack. */
export class RoomConnectError extends UsageError {
  constructor(
    readonly kind: RoomErrorKind,
    message: string,
  ) {
    super(message, 1);
  }
}

const ENGINE_PREFIX = /^(engine: )?(signal failure: )?/;

export function classifyConnectError(
  raw: string,
  ctx: { url: string; room: string },
): RoomConnectError {
  const detail = raw.replace(ENGINE_PREFIX, '').trim();
  const at = `at ${ctx.url}`;
  const status = /client error: (\d{3})[^-]*-?\s*(.*)$/.exec(detail);
  if (/connection refused/i.test(detail)) {
    return new RoomConnectError(
      'unreachable',
      `no LiveKit server ${at} (connection refused): start one (livekit-server --dev) or check --url / LIVEKIT_URL`,
    );
  }
  if (/lookup address|name or service not known|nodename nor servname/i.test(detail)) {
    return new RoomConnectError(
      'unreachable',
      `cannot resolve the host of ${ctx.url}: check --url / LIVEKIT_URL`,
    );
  }
  if (/timed out/i.test(detail)) {
    return new RoomConnectError('timeout', `no answer from a LiveKit server ${at} (timed out)`);
  }
  if (status) {
    const code = Number(status[1]);
    const body = (status[2] ?? '').trim();
    if (code === 401 || code === 403) {
      return new RoomConnectError(
        'unauthorized',
        `the LiveKit server ${at} refused the access token (${code}${body ? `: ${body}` : ''}): check LIVEKIT_API_KEY / LIVEKIT_API_SECRET (--api-key / --api-secret)`,
      );
    }
    if (code === 404 && /room/i.test(body)) {
      return new RoomConnectError(
        'room_not_found',
        `room "${ctx.room}" does not exist on the LiveKit server ${at}, and the server does not create rooms on join`,
      );
    }
    return new RoomConnectError(
      'not_livekit',
      `${ctx.url} does not look like a LiveKit server (HTTP ${code}${body ? `: ${body}` : ''}): check --url / LIVEKIT_URL`,
    );
  }
  const handshake = /handshake error: (.*)$/i.exec(detail);
  if (handshake || /invalid (http|status)|protocol/i.test(detail)) {
    return new RoomConnectError(
      'not_livekit',
      `${ctx.url} does not look like a LiveKit server (it answered ${handshake?.[1] ?? detail} instead of a LiveKit WebSocket): check --url / LIVEKIT_URL`,
    );
  }
  return new RoomConnectError('failed', `could not join room "${ctx.room}" ${at}: ${detail}`);
}

/**
 * The connection was lost and did not come back: after our bound (`withinMs`), or when
 * rtc-node gave up on its own first (`gaveUp`: its reason and how long it tried). Either way
 * it is the same one line for the user.
 */
export function lostConnectionError(
  url: string,
  end: { withinMs: number } | { gaveUp: string; afterMs: number },
): RoomConnectError {
  const how =
    'withinMs' in end
      ? `within ${end.withinMs / 1000} s`
      : `(gave up after ${Math.round(end.afterMs / 1000)} s: ${end.gaveUp})`;
  return new RoomConnectError(
    'connection_lost',
    `lost the connection to the LiveKit server at ${url} and could not reconnect ${how}`,
  );
}
