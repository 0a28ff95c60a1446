/**
 * Where a LiveKit connection's settings come from (flags, then the environment), and the
 * one-line errors a user gets when they are missing or wrong. Secrets never appear in a
 * message.
 */
import { UsageError } from '../runtime/core/errors.js';

export interface RoomSettingsInput {
  url?: string;
  apiKey?: string;
  apiSecret?: string;
}

export interface RoomSettings {
  /** The server's WebSocket URL (`ws://` or `wss://`). */
  readonly url: string;
  readonly apiKey: string;
  readonly apiSecret: string;
}

const FIELDS = [
  { key: 'url', flag: '--url', env: 'LIVEKIT_URL' },
  { key: 'apiKey', flag: '--api-key', env: 'LIVEKIT_API_KEY' },
  { key: 'apiSecret', flag: '--api-secret', env: 'LIVEKIT_API_SECRET' },
] as const;

/**
 * Fills missing settings from `LIVEKIT_URL`, `LIVEKIT_API_KEY` and `LIVEKIT_API_SECRET` and
 * checks them. Throws one UsageError naming every missing setting (flag and variable).
 */
export function resolveRoomSettings(
  input: RoomSettingsInput,
  env: Readonly<Record<string, string | undefined>> = process.env,
): RoomSettings {
  const values = lookUp(input, env, FIELDS);
  return { url: normalizeUrl(values.url), apiKey: values.apiKey, apiSecret: values.apiSecret };
}

/** Only the URL (joining with a token someone else minted needs no key or secret). */
export function resolveRoomUrl(
  input: RoomSettingsInput,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return normalizeUrl(lookUp(input, env, FIELDS.slice(0, 1)).url);
}

function lookUp(
  input: RoomSettingsInput,
  env: Readonly<Record<string, string | undefined>>,
  fields: readonly (typeof FIELDS)[number][],
): Record<(typeof FIELDS)[number]['key'], string> {
  const values: Record<(typeof FIELDS)[number]['key'], string> = {
    url: '',
    apiKey: '',
    apiSecret: '',
  };
  const missing: string[] = [];
  for (const f of fields) {
    const v = (input[f.key] ?? env[f.env] ?? '').trim();
    if (v === '') missing.push(`${f.flag} (or ${f.env})`);
    values[f.key] = v;
  }
  if (missing.length > 0) {
    const hint = 'for a local `livekit-server --dev`: ws://localhost:7880, devkey, secret';
    throw new UsageError(`missing LiveKit settings: ${missing.join(', ')}; ${hint}`);
  }
  return values;
}

/** `http(s)://` becomes `ws(s)://`; anything else that is not `ws(s)://` is an error. */
export function normalizeUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`LiveKit URL "${raw}" is not a URL (check --url / LIVEKIT_URL)`);
  }
  const scheme = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' }[url.protocol];
  if (!scheme) {
    throw new UsageError(
      `LiveKit URL "${raw}" must start with ws://, wss://, http:// or https:// (check --url / LIVEKIT_URL)`,
    );
  }
  url.protocol = scheme;
  if (url.username || url.password) {
    throw new UsageError('LiveKit URL must not carry credentials (use --api-key / --api-secret)');
  }
  return url.toString().replace(/\/$/, '');
}

export function requireName(what: 'room' | 'identity', value: string | undefined): string {
  const v = (value ?? '').trim();
  if (v === '') throw new UsageError(`a LiveKit ${what} name is required`);
  return v;
}

/** Replaces every secret in a message (tokens, API secret) before it is shown or logged. */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}
