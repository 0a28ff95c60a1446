import { DeepgramClient } from '@deepgram/sdk';
import type { ErrorScope } from '../shared/errors.js';
import type { DeepgramRole } from './keys.js';
import { requireDeepgramKey } from './keys.js';

export { DEEPGRAM_OFFLINE_ALTERNATIVES, type DeepgramRole, requireDeepgramKey } from './keys.js';

export const DEEPGRAM_DEFAULT_BASE_URL = 'wss://api.deepgram.com';

/** How to reach Deepgram. Options win over `DEEPGRAM_API_KEY` / `DEEPGRAM_BASE_URL`. */
export interface DeepgramConnectionOptions {
  readonly apiKey?: string;
  /**
   * Where the live APIs are, e.g. `wss://api.deepgram.com` (default) or a self-hosted
   * `ws://10.0.0.5:8080`. `http(s)://` is accepted and turned into `ws(s)://`.
   */
  readonly baseURL?: string;
  /** Seconds to wait for the WebSocket handshake (10). */
  readonly connectTimeoutSeconds?: number;
  /** Where to read the variables from (defaults to `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface DeepgramConnection {
  readonly client: DeepgramClient;
  readonly scope: ErrorScope;
  readonly connectTimeoutSeconds: number;
}

export function connectDeepgram(
  options: DeepgramConnectionOptions,
  role: DeepgramRole,
): DeepgramConnection {
  const env = options.env ?? process.env;
  const apiKey = options.apiKey ?? requireDeepgramKey(role, env);
  const baseURL = toWebSocketUrl(
    options.baseURL ?? (env.DEEPGRAM_BASE_URL?.trim() || DEEPGRAM_DEFAULT_BASE_URL),
  );
  // `reconnect: false`: the plugin reconnects itself, on the session clock, with its own bound.
  const client = new DeepgramClient({ apiKey, baseUrl: baseURL, reconnect: false });
  return {
    client,
    connectTimeoutSeconds: options.connectTimeoutSeconds ?? 10,
    scope: {
      provider: `deepgram.${role}`,
      keyVar: 'DEEPGRAM_API_KEY',
      urlVar: 'DEEPGRAM_BASE_URL',
      baseURL: stripCredentials(baseURL),
      secrets: [apiKey],
    },
  };
}

function toWebSocketUrl(url: string): string {
  return url.replace(/^http(s?):\/\//i, 'ws$1://').replace(/\/+$/, '');
}

function stripCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}
