/**
 * The agent's access token: joins one room only, may publish, subscribe and publish data,
 * and expires soon (the connection does not need it after joining; LiveKit refreshes it).
 * The token is a credential: never log or print it.
 */
import { AccessToken } from 'livekit-server-sdk';

export interface AgentTokenOptions {
  apiKey: string;
  apiSecret: string;
  room: string;
  identity: string;
  /** Display name; defaults to the identity. */
  name?: string;
  /** Lifetime in seconds (default 600). */
  ttlSeconds?: number;
}

export const DEFAULT_TOKEN_TTL_SECONDS = 600;

export async function mintAgentToken(opts: AgentTokenOptions): Promise<string> {
  const token = new AccessToken(opts.apiKey, opts.apiSecret, {
    identity: opts.identity,
    name: opts.name ?? opts.identity,
    ttl: opts.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS,
  });
  token.addGrant({
    room: opts.room,
    roomJoin: true,
    canPublish: true,
    canSubscribe: true,
    canPublishData: true,
  });
  return token.toJwt();
}
