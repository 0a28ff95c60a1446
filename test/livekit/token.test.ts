/** The agent's token, decoded: one room, the grants it needs and no others, a short life. */
import { TokenVerifier } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_TTL_SECONDS, mintAgentToken } from '../../src/livekit/index.js';

const key = 'APIkey123';
const secret = 'token-test-secret-0123456789abcdef0123';

function payload(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('mintAgentToken', () => {
  it('grants joining that one room, publishing, subscribing and data, and nothing else', async () => {
    const jwt = await mintAgentToken({
      apiKey: key,
      apiSecret: secret,
      room: 'kitchen',
      identity: 'voxagent',
      name: 'Vox',
    });
    const claims = await new TokenVerifier(key, secret).verify(jwt);
    expect(claims.sub).toBe('voxagent');
    expect(claims.name).toBe('Vox');
    expect(claims.iss).toBe(key);
    expect(claims.video).toEqual({
      room: 'kitchen',
      roomJoin: true,
      canPublish: true,
      canSubscribe: true,
      canPublishData: true,
    });
    const raw = payload(jwt);
    expect(Object.keys(raw.video as object).sort()).toEqual([
      'canPublish',
      'canPublishData',
      'canSubscribe',
      'room',
      'roomJoin',
    ]);
  });

  it('expires after ten minutes by default, or the given TTL', async () => {
    const before = Math.floor(Date.now() / 1000);
    const jwt = await mintAgentToken({ apiKey: key, apiSecret: secret, room: 'r', identity: 'a' });
    const { exp, nbf } = payload(jwt) as { exp: number; nbf: number };
    expect(DEFAULT_TOKEN_TTL_SECONDS).toBe(600);
    expect(exp - nbf).toBe(600);
    expect(exp).toBeGreaterThanOrEqual(before + 600);
    expect(exp).toBeLessThanOrEqual(before + 602);
    const short = payload(
      await mintAgentToken({
        apiKey: key,
        apiSecret: secret,
        room: 'r',
        identity: 'a',
        ttlSeconds: 60,
      }),
    );
    expect((short.exp as number) - (short.nbf as number)).toBe(60);
  });

  it('defaults the name to the identity, and is signed with the secret', async () => {
    const jwt = await mintAgentToken({
      apiKey: key,
      apiSecret: secret,
      room: 'r',
      identity: 'agent-7',
    });
    expect(payload(jwt).name).toBe('agent-7');
    await expect(
      new TokenVerifier(key, 'some-other-secret-0123456789abcdef').verify(jwt),
    ).rejects.toThrow();
  });
});
