import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenError, TokenService } from './tokens.js';
import type { Principal } from './principal.js';

const agent: Principal = { kind: 'staff', userId: 'u1', email: 'agent@example.org', role: 'agent', practitionerId: null };
/** Revocation is tested with a real server (sessions.test.ts); here every session stays current. */
const current = { isCurrent: () => true };

describe('TokenService verification cache', () => {
  it('still rejects a token once it expires, even after it verified', async () => {
    const tokens = new TokenService(randomBytes(32), 1, current);
    const token = await tokens.issueAccessToken(agent, 0);
    expect(await tokens.verifyAccessToken(token)).toEqual(agent);
    expect(await tokens.verifyAccessToken(token)).toEqual(agent);
    await new Promise((r) => setTimeout(r, 2100));
    await expect(tokens.verifyAccessToken(token)).rejects.toMatchObject({ expired: true });
  });

  it('does not let a tampered copy of a verified token through', async () => {
    const tokens = new TokenService(randomBytes(32), 300, current);
    const token = await tokens.issueAccessToken(agent, 0);
    await tokens.verifyAccessToken(token);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const forged = [header, Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url'), signature].join('.');
    await expect(tokens.verifyAccessToken(forged)).rejects.toBeInstanceOf(TokenError);
  });

  it('does not accept tokens signed with another key', async () => {
    const token = await new TokenService(randomBytes(32), 300, current).issueAccessToken(agent, 0);
    await expect(new TokenService(randomBytes(32), 300, current).verifyAccessToken(token)).rejects.toBeInstanceOf(TokenError);
  });
});
