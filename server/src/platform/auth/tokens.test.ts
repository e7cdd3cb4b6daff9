import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../testing/server.js';
import { call, signedInUser } from '../../testing/accounts.js';
import { TokenService } from './tokens.js';

const SECRET = 'test-secret-that-is-at-least-32-characters-long'; // what startTestServer configures
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens', () => {
  let server: TestServer;
  let admin: Awaited<ReturnType<typeof signedInUser>>;
  beforeAll(async () => {
    server = await startTestServer();
    admin = await signedInUser(server, 'admin');
  });
  afterAll(async () => {
    await server.close();
  });

  const claimsFor = (userId: string, role: string) => ({ role, email: 'forged@example.test', sub: userId });
  const sign = (key: string, claims: Record<string, unknown>, exp: number | string = '5m', header: Record<string, unknown> = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header })
      .setIssuer('carebridge')
      .setAudience('carebridge-api')
      .setIssuedAt(typeof exp === 'number' ? exp - 60 : undefined)
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(key));

  const adminUsers = (token: string) => call(server, 'GET', '/api/admin/users', { token });

  it('accepts a token the server issued', async () => {
    expect((await adminUsers(admin.token)).status).toBe(200);
  });

  it('rejects a token signed with another key', async () => {
    const forged = await sign('another-secret-of-at-least-32-characters!!', claimsFor(admin.user.id, 'admin'));
    const res = await adminUsers(forged);
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code: 'unauthorized', message: 'The access token is invalid.' });
  });

  it('rejects an expired token with a message saying so', async () => {
    const expired = await sign(SECRET, claimsFor(admin.user.id, 'admin'), Math.floor(Date.now() / 1000) - 60);
    const res = await adminUsers(expired);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toContain('expired');
  });

  it('rejects alg "none" and a payload edited after signing', async () => {
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({
      ...claimsFor(admin.user.id, 'admin'),
      iss: 'carebridge',
      aud: 'carebridge-api',
      exp: Math.floor(Date.now() / 1000) + 300,
    })}.`;
    expect((await adminUsers(unsigned)).status).toBe(401);

    const agent = await signedInUser(server, 'agent');
    const [header, payload, signature] = agent.token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const escalated = `${header}.${b64url({ ...claims, role: 'admin' })}.${signature}`;
    expect((await adminUsers(escalated)).status).toBe(401);
    expect((await adminUsers(agent.token)).status).toBe(403);
  });

  it('rejects tokens for another audience or issuer, and malformed Authorization headers', async () => {
    const otherAudience = await new SignJWT(claimsFor(admin.user.id, 'admin'))
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('carebridge')
      .setAudience('someone-else')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    expect((await adminUsers(otherAudience)).status).toBe(401);
    const res = await call(server, 'GET', '/api/auth/me', { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    expect(res.status).toBe(401);
    expect((await call(server, 'GET', '/api/auth/me', { headers: { authorization: 'Bearer <script>' } })).status).toBe(401);
  });

  it('expires tokens issued with a short lifetime', async () => {
    // 2 s rather than 1: `exp` is whole seconds, so a 1 s token may already be expired when checked.
    const shortLived = new TokenService(new TextEncoder().encode(SECRET), 2, server.context.sessions);
    const token = await shortLived.issueAccessToken({ kind: 'staff', userId: admin.user.id, email: admin.user.email, role: 'admin', practitionerId: null }, admin.user.session_version);
    expect((await adminUsers(token)).status).toBe(200);
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, exp * 1000 - Date.now()) + 100));
    const expired = await adminUsers(token);
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toContain('expired');
  });
});
