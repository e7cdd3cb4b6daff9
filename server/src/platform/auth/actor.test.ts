import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createActorResolver } from './actor.js';
import { TokenService } from './tokens.js';
import { VisitorTokens } from './visitor-tokens.js';
import type { Principal } from './principal.js';

const patient: Principal = { kind: 'patient', userId: 'u-p', email: 'pat@example.org', role: 'patient', patientId: 'p1' };
const current = { isCurrent: () => true };

function setup() {
  const key = randomBytes(32);
  const tokens = Object.assign(new TokenService(key, 300, current), { sessions: current });
  const visitors = new VisitorTokens(key, 300);
  return { tokens, visitors, resolver: createActorResolver(tokens, visitors) };
}

describe('actor resolver', () => {
  it('resolves a visitor token as the visitor, and the same token again from its cache', async () => {
    const { visitors, resolver } = setup();
    const { token, visitorId } = await visitors.issue('Ana');
    expect(await resolver.actorForToken(token)).toEqual({ kind: 'visitor', userId: visitorId, displayName: 'Ana' });
    expect(await resolver.actorForToken(token)).toEqual({ kind: 'visitor', userId: visitorId, displayName: 'Ana' });
  });

  it('resolves an access token as the signed-in patient', async () => {
    const { tokens, resolver } = setup();
    const token = await tokens.issueAccessToken(patient, 0);
    expect(await resolver.actorForToken(token)).toMatchObject({ kind: 'patient', userId: 'u-p', patientId: 'p1' });
  });

  it('refuses a tampered copy of a visitor token that verified, and a token that only claims the visitor audience', async () => {
    const { visitors, resolver } = setup();
    const { token } = await visitors.issue('Ana');
    await resolver.actorForToken(token);
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const forged = [header, Buffer.from(JSON.stringify({ ...claims, name: 'Admin' })).toString('base64url'), signature].join('.');
    expect(await resolver.actorForToken(forged)).toBeUndefined();
    const foreign = await new SignJWT({ role: 'visitor', name: 'Eve' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('visitor-x')
      .setIssuer('carebridge')
      .setAudience('carebridge-chat-visitor')
      .setExpirationTime('5m')
      .sign(randomBytes(32));
    expect(await resolver.actorForToken(foreign)).toBeUndefined();
    expect(await resolver.actorForToken('not a token')).toBeUndefined();
  });

  it('stops accepting a cached visitor token once it expires', async () => {
    const key = randomBytes(32);
    const visitors = new VisitorTokens(key, 1);
    const resolver = createActorResolver(Object.assign(new TokenService(key, 300, current), { sessions: current }), visitors);
    const { token } = await visitors.issue('Ana');
    expect(await resolver.actorForToken(token)).toMatchObject({ kind: 'visitor' });
    await new Promise((r) => setTimeout(r, 2100));
    expect(await resolver.actorForToken(token)).toBeUndefined();
  });
});
