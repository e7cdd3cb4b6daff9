import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/server.js';
import { call, createPatient, createUser, login, loginFrom, TEST_PASSWORD, uniqueAddress, uniqueEmail } from '../testing/accounts.js';

describe('sign-in', () => {
  let server: TestServer;
  beforeAll(async () => {
    // A small body limit so the oversized-body case does not need megabytes.
    server = await startTestServer({ MAX_BODY_BYTES: '4096' });
  });
  afterAll(async () => {
    await server.close();
  });

  const auditRows = (action: string, resourceId?: string) =>
    server.context.database.sqlite
      .prepare(`SELECT * FROM audit_log WHERE action = ? ${resourceId ? 'AND resource_id = ?' : ''} ORDER BY seq`)
      .all(...(resourceId ? [action, resourceId] : [action])) as Array<{ outcome: string; details: string | null; actor_id: string | null }>;

  it('signs a staff user in and returns tokens and the user', async () => {
    const user = await createUser(server, { role: 'agent', displayName: 'Grace Agent' });
    const res = await login(server, user.email);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      user: { id: user.id, email: user.email, role: 'agent', displayName: 'Grace Agent', mfaEnabled: false },
    });
    const me = await call(server, 'GET', '/api/auth/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(res.body.user);
    // Only the hash of the refresh token is stored.
    const stored = server.context.database.sqlite.prepare('SELECT token_hash FROM refresh_tokens WHERE user_id = ?').all(user.id) as Array<{
      token_hash: string;
    }>;
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).not.toContain(res.body.refreshToken);
    expect(stored[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    const audited = auditRows('auth.login', user.id);
    expect(audited.at(-1)).toMatchObject({ outcome: 'success', actor_id: user.id });
  });

  it('signs a patient in with their patient id, whatever the case of the e-mail', async () => {
    const patient = createPatient(server, 'T-LOGIN-1');
    const user = await createUser(server, { role: 'patient', patientId: patient.id! });
    const res = await login(server, `  ${user.email.toUpperCase()} `);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ role: 'patient', patientId: patient.id, email: user.email });
  });

  it('answers a wrong password and an unknown e-mail with the same 401, in comparable time', async () => {
    const user = await createUser(server, { role: 'agent' });
    const t0 = performance.now();
    const wrong = await login(server, user.email, 'not the password at all');
    const t1 = performance.now();
    const unknown = await login(server, uniqueEmail('nobody'), 'not the password at all');
    const t2 = performance.now();
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toEqual({ error: { code: 'invalid_credentials', message: expect.any(String) } });
    // Both paths run one argon2 verification (~25 ms); an unknown user is not answered instantly.
    expect(t2 - t1).toBeGreaterThan((t1 - t0) / 4);
    const failure = auditRows('auth.login', user.id).at(-1)!;
    expect(failure.outcome).toBe('failure');
    expect(failure.details).toContain('wrong_password');
    expect(failure.details).not.toContain('not the password');
  });

  it('never writes passwords or tokens into the audit log', async () => {
    const user = await createUser(server, { role: 'supervisor' });
    const ok = await login(server, user.email);
    await login(server, user.email, 'Wrong-Password-Marker-123');
    await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: ok.body.refreshToken } });
    const all = JSON.stringify(server.context.database.sqlite.prepare('SELECT * FROM audit_log').all());
    expect(all).not.toContain(TEST_PASSWORD);
    expect(all).not.toContain('Wrong-Password-Marker-123');
    expect(all).not.toContain(ok.body.refreshToken);
    expect(all).not.toContain(ok.body.accessToken);
  });

  it('rejects malformed JSON, unknown fields, wrong types and oversized bodies with 4xx', async () => {
    const malformed = await call(server, 'POST', '/api/auth/login', { raw: '{"email": "a@b.c", "password": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('bad_request');

    const unknownField = await call(server, 'POST', '/api/auth/login', {
      body: { email: 'a@example.test', password: 'x', role: 'admin' },
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error).toMatchObject({ code: 'validation_failed', details: { issues: [expect.objectContaining({ keys: ['role'] })] } });

    const wrongType = await call(server, 'POST', '/api/auth/login', { body: { email: 42, password: ['x'] } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.code).toBe('validation_failed');

    const notAnEmail = await call(server, 'POST', '/api/auth/login', { body: { email: "admin' OR '1'='1", password: 'x' } });
    expect(notAnEmail.status).toBe(400);

    const hugePassword = await call(server, 'POST', '/api/auth/login', { body: { email: 'a@example.test', password: 'x'.repeat(2000) } });
    expect(hugePassword.status).toBe(400);

    const oversized = await call(server, 'POST', '/api/auth/login', { body: { email: 'a@example.test', password: 'x'.repeat(10_000) } });
    expect(oversized.status).toBe(413);
    expect(oversized.body.error.code).toBe('payload_too_large');

    const badTotp = await call(server, 'POST', '/api/auth/login', { body: { email: 'a@example.test', password: 'x', totp: '12ab56' } });
    expect(badTotp.status).toBe(400);
  });

  it('treats injection-shaped input as data', async () => {
    const user = await createUser(server, { role: 'agent' });
    const res = await login(server, user.email, "' OR 1=1; DROP TABLE users; --");
    expect(res.status).toBe(401);
    const sqlEmail = await login(server, `x'--@example.test`, TEST_PASSWORD);
    expect(sqlEmail.status).toBe(401);
    expect((await login(server, user.email)).status).toBe(200);
  });

  it('rotates refresh tokens and revokes every session when a used token comes back', async () => {
    const user = await createUser(server, { role: 'agent' });
    const first = await login(server, user.email);
    const other = await login(server, user.email); // a second session, e.g. another device

    const rotated = await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refreshToken).not.toBe(first.body.refreshToken);
    expect(rotated.body.user.id).toBe(user.id);
    expect((await call(server, 'GET', '/api/auth/me', { token: rotated.body.accessToken })).status).toBe(200);

    // The old token was revoked by the rotation: presenting it again is theft, so all sessions end.
    const reused = await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('invalid_refresh_token');
    const afterTheft = await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: rotated.body.refreshToken } });
    expect(afterTheft.status).toBe(401);
    const otherDevice = await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: other.body.refreshToken } });
    expect(otherDevice.status).toBe(401);
    expect(auditRows('auth.refresh', user.id).map((r) => r.outcome)).toContain('failure');
    expect(auditRows('auth.refresh', user.id).some((r) => r.details?.includes('reuse_detected'))).toBe(true);
  });

  it('refuses unknown and malformed refresh tokens', async () => {
    const unknown = await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: 'A'.repeat(43) } });
    expect(unknown.status).toBe(401);
    const malformed = await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: 'short' } });
    expect(malformed.status).toBe(400);
    const extra = await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: 'A'.repeat(43), userId: 'x' } });
    expect(extra.status).toBe(400);
  });

  it('logs out by revoking the refresh token', async () => {
    const user = await createUser(server, { role: 'agent' });
    const session = await login(server, user.email);
    const out = await call(server, 'POST', '/api/auth/logout', { body: { refreshToken: session.body.refreshToken } });
    expect(out.status).toBe(204);
    const refresh = await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: session.body.refreshToken } });
    expect(refresh.status).toBe(401);
    expect(auditRows('auth.logout', user.id)).toHaveLength(1);
    // Logging out twice is harmless.
    expect((await call(server, 'POST', '/api/auth/logout', { body: { refreshToken: session.body.refreshToken } })).status).toBe(204);
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('backs off an account on one address after 5 failures, with a Retry-After that doubles, and starts again after a success', async () => {
    const user = await createUser(server, { role: 'agent' });
    const here = uniqueAddress();
    for (let i = 1; i <= 5; i++) expect((await loginFrom(server, here, user.email, `wrong password ${i}`)).status).toBe(401);
    // Backoff, not a lock: even the right password waits, and only briefly.
    const first = await loginFrom(server, here, user.email);
    expect(first.status).toBe(429);
    expect(first.body.error.code).toBe('too_many_requests');
    expect(first.body.error.message).toMatch(/Wait 1 seconds/);
    expect(first.headers.get('retry-after')).toBe('1');
    await sleep(1050);
    expect((await loginFrom(server, here, user.email, 'wrong password 6')).status).toBe(401);
    const second = await loginFrom(server, here, user.email);
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('2');
    await sleep(2050);
    expect((await loginFrom(server, here, user.email)).status).toBe(200);
    // The success started the budget again: five free failures, then backoff from 1 s.
    for (let i = 0; i < 5; i++) expect((await loginFrom(server, here, user.email, 'wrong password!')).status).toBe(401);
    const again = await loginFrom(server, here, user.email);
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toBe('1');
    expect(auditRows('auth.login', user.id).at(-1)!.details).toContain('"backoffSeconds":1');
    expect(auditRows('auth.lockout', user.id)).toHaveLength(0);
  });

  it('resets the failure count on a successful sign-in', async () => {
    const user = await createUser(server, { role: 'agent' });
    const here = uniqueAddress();
    for (let i = 0; i < 4; i++) await loginFrom(server, here, user.email, 'wrong password!');
    expect((await loginFrom(server, here, user.email)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await loginFrom(server, here, user.email, 'wrong password!')).status).toBe(401);
    expect((await loginFrom(server, here, user.email)).status).toBe(200);
  });

  it.each(['agent', 'patient'])(
    'keeps the owner (%s) signing in from their own address while an attacker elsewhere hammers the account',
    async (role) => {
      const patientId = role === 'patient' ? createPatient(server, `T-THROTTLE-${uniqueAddress()}`).id! : undefined;
      const owner = await createUser(server, { role, ...(patientId ? { patientId } : {}) });
      const home = uniqueAddress();
      expect((await loginFrom(server, home, owner.email)).status).toBe(200);

      // The attacker guesses from one address until backed off, then from another.
      const attacker = [uniqueAddress(), uniqueAddress()];
      const statuses: number[] = [];
      for (const address of attacker) for (let i = 0; i < 8; i++) statuses.push((await loginFrom(server, address, owner.email, `guess ${i}`)).status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(6);
      expect(statuses).not.toContain(423);
      // The account is now slow from any address it never signed in from, even with the right password...
      const stranger = await loginFrom(server, uniqueAddress(), owner.email);
      expect(stranger.status).toBe(429);
      // ...but the owner at home signs in at once, and a typo there is just a typo.
      expect((await loginFrom(server, home, owner.email, 'typo')).status).toBe(401);
      const ownerAgain = await loginFrom(server, home, owner.email);
      expect(ownerAgain.status).toBe(200);
      expect(ownerAgain.body.user.role).toBe(role);
    },
  );

  it('throttles one address spraying 150 guesses over 50 accounts', async () => {
    const accounts = await Promise.all(Array.from({ length: 50 }, () => createUser(server, { role: 'agent' })));
    const sprayer = uniqueAddress();
    const statuses: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const account of accounts) statuses.push((await loginFrom(server, sprayer, account.email, `Spring2026!${round}`)).status);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(130);
    // The same answer for an account that does not exist, so the 429 reveals nothing.
    const known = await loginFrom(server, sprayer, accounts[0]!.email, 'x');
    const unknown = await loginFrom(server, sprayer, uniqueEmail('nobody'), 'x');
    expect(unknown.status).toBe(429);
    expect(unknown.body).toEqual(known.body);
    expect(unknown.headers.get('retry-after')).toBe(known.headers.get('retry-after'));
    // Everyone else signs in as usual.
    expect((await loginFrom(server, uniqueAddress(), accounts[1]!.email)).status).toBe(200);
  });

  it('backs off unknown e-mails exactly like real accounts', async () => {
    const here = uniqueAddress();
    const ghost = uniqueEmail('ghost');
    const real = await createUser(server, { role: 'agent' });
    const answers = async (email: string) => {
      const out: Array<{ status: number; body: unknown; retryAfter: string | null }> = [];
      for (let i = 0; i < 6; i++) {
        const res = await loginFrom(server, here, email, `guess ${i}`);
        out.push({ status: res.status, body: res.body, retryAfter: res.headers.get('retry-after') });
      }
      return out;
    };
    const forGhost = await answers(ghost);
    const forReal = await answers(real.email);
    expect(forGhost.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 429]);
    expect(forReal).toEqual(forGhost);
  });

  it('an administrator clearing the throttle (unlock) lets the account sign in from anywhere again', async () => {
    const user = await createUser(server, { role: 'agent' });
    for (const address of [uniqueAddress(), uniqueAddress()]) for (let i = 0; i < 5; i++) await loginFrom(server, address, user.email, 'guess');
    expect((await loginFrom(server, uniqueAddress(), user.email)).status).toBe(429);
    const admin = await createUser(server, { role: 'admin' });
    const adminSession = await loginFrom(server, uniqueAddress(), admin.email);
    const seen = await call(server, 'GET', `/api/admin/users/${user.id}`, { token: adminSession.body.accessToken });
    expect(seen.body).toMatchObject({ failedLogins: 10, lockedUntil: null });
    const unlock = await call(server, 'PATCH', `/api/admin/users/${user.id}`, { token: adminSession.body.accessToken, body: { unlock: true } });
    expect(unlock.status).toBe(200);
    expect(unlock.body).toMatchObject({ lockedUntil: null, failedLogins: 0 });
    expect((await loginFrom(server, uniqueAddress(), user.email)).status).toBe(200);
  });

  it('answers a disabled account exactly like a wrong password, and refuses its refresh tokens', async () => {
    const user = await createUser(server, { role: 'agent' });
    const other = await createUser(server, { role: 'agent' });
    const session = await login(server, user.email);
    const admin = await createUser(server, { role: 'admin' });
    const adminToken = (await login(server, admin.email)).body.accessToken;
    const disable = await call(server, 'PATCH', `/api/admin/users/${user.id}`, { token: adminToken, body: { disabled: true } });
    expect(disable.status).toBe(200);
    expect(disable.body.disabled).toBe(true);

    const here = uniqueAddress();
    const timed = async (email: string, password?: string) => {
      const t0 = performance.now();
      const res = await loginFrom(server, here, email, password);
      return { res, ms: performance.now() - t0 };
    };
    const wrong = await timed(other.email, 'not the password at all');
    const disabledRight = await timed(user.email);
    const disabledWrong = await timed(user.email, 'not the password at all');
    for (const { res } of [disabledRight, disabledWrong]) {
      expect(res.status).toBe(wrong.res.status);
      expect(res.body).toEqual(wrong.res.body);
      expect([...res.headers.keys()].sort()).toEqual([...wrong.res.headers.keys()].sort());
    }
    expect(wrong.res.body).toEqual({ error: { code: 'invalid_credentials', message: expect.any(String) } });
    // Each runs one argon2 verification (~25 ms): a disabled account is not answered instantly.
    expect(disabledRight.ms).toBeGreaterThan(wrong.ms / 4);
    expect(auditRows('auth.login', user.id).at(-2)!.details).toContain('disabled');

    const refresh = await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: session.body.refreshToken } });
    expect(refresh.status).toBe(401);
    expect((await call(server, 'GET', '/api/auth/me', { token: session.body.accessToken })).status).toBe(401);

    await call(server, 'PATCH', `/api/admin/users/${user.id}`, { token: adminToken, body: { disabled: false } });
    expect((await loginFrom(server, uniqueAddress(), user.email)).status).toBe(200);
  });

  it('needs a token for /api/auth/me', async () => {
    const res = await call(server, 'GET', '/api/auth/me');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('documents the routes with who may call them', async () => {
    const doc = (await call(server, 'GET', '/api/openapi.json')).body;
    expect(doc.paths['/api/auth/login'].post.security).toEqual([]);
    expect(doc.paths['/api/auth/login'].post.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    expect(doc.paths['/api/admin/users/{id}'].patch.summary).toContain('(admin)');
    expect(doc.paths['/api/auth/mfa/enrol'].post.requestBody.content['application/json'].schema.required).toEqual(['currentPassword']);
    expect(doc.paths['/api/auth/password'].post.requestBody.content['application/json'].schema.required).toEqual(['currentPassword', 'newPassword']);
  });
});
