import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/server.js';
import { call, createPatient, createUser, login, loginFrom, signedInUser, TEST_PASSWORD, totpCodeFor, uniqueAddress, wrongTotpCode } from '../testing/accounts.js';

const codeFor = totpCodeFor;
const wrongCode = wrongTotpCode;

const NEW_PASSWORD = 'a brand new passphrase 2026';

describe('step-up for sensitive changes (MFA, password)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  const currentPassword = TEST_PASSWORD;

  /** Enrols and activates MFA with the password; returns the secret. */
  async function withMfa(token: string): Promise<string> {
    const enrol = await call(server, 'POST', '/api/auth/mfa/enrol', { token, body: { currentPassword } });
    expect(enrol.status).toBe(200);
    const secret = enrol.body.secret as string;
    const activate = await call(server, 'POST', '/api/auth/mfa/activate', { token, body: { currentPassword, code: await codeFor(secret, -1) } });
    expect(activate.status).toBe(200);
    return secret;
  }

  const mfaEnabled = (userId: string) =>
    (server.context.database.sqlite.prepare('SELECT totp_enabled FROM users WHERE id = ?').get(userId) as { totp_enabled: number }).totp_enabled;

  it('a stolen access token alone cannot enrol an authenticator', async () => {
    const { user, token } = await signedInUser(server, 'agent');
    const none = await call(server, 'POST', '/api/auth/mfa/enrol', { token });
    expect(none.status).toBe(400);
    const empty = await call(server, 'POST', '/api/auth/mfa/enrol', { token, body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details.issues[0].path).toBe('currentPassword');
    const wrong = await call(server, 'POST', '/api/auth/mfa/enrol', { token, body: { currentPassword: 'a guess at the password' } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('invalid_current_password');
    expect(wrong.body.error).not.toHaveProperty('details');
    const row = server.context.database.sqlite.prepare('SELECT totp_secret FROM users WHERE id = ?').get(user.id) as { totp_secret: string | null };
    expect(row.totp_secret).toBeNull();
    const audited = server.context.database.sqlite
      .prepare("SELECT details FROM audit_log WHERE action = 'auth.step_up' AND resource_id = ?")
      .all(user.id) as Array<{ details: string }>;
    expect(audited.map((r) => JSON.parse(r.details))).toEqual([{ purpose: 'mfa.enrol', reason: 'wrong_password' }]);
  });

  it('a stolen access token alone cannot confirm an enrolment', async () => {
    const { user, token } = await signedInUser(server, 'agent');
    const secret = (await call(server, 'POST', '/api/auth/mfa/enrol', { token, body: { currentPassword } })).body.secret as string;
    const code = await codeFor(secret);
    expect((await call(server, 'POST', '/api/auth/mfa/activate', { token, body: { code } })).status).toBe(400);
    const wrong = await call(server, 'POST', '/api/auth/mfa/activate', { token, body: { currentPassword: 'a guess', code } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('invalid_current_password');
    expect(mfaEnabled(user.id)).toBe(0);
  });

  it('a stolen access token alone cannot turn MFA off: it needs the password and a current code', async () => {
    const { user, token } = await signedInUser(server, 'supervisor');
    const secret = await withMfa(token);
    const disable = (body: Record<string, unknown>) => call(server, 'POST', '/api/auth/mfa/disable', { token, body });
    expect((await disable({ totpCode: await codeFor(secret) })).status).toBe(400);
    expect((await disable({ currentPassword })).status).toBe(400);
    const wrongPassword = await disable({ currentPassword: 'a guess', totpCode: await codeFor(secret) });
    expect(wrongPassword.status).toBe(403);
    expect(wrongPassword.body.error.code).toBe('invalid_current_password');
    const wrongCodeReply = await disable({ currentPassword, totpCode: wrongCode(await codeFor(secret)) });
    expect(wrongCodeReply.status).toBe(403);
    expect(wrongCodeReply.body.error.code).toBe('invalid_totp');
    expect(mfaEnabled(user.id)).toBe(1);

    const code = await codeFor(secret);
    expect((await disable({ currentPassword, totpCode: code })).status).toBe(200);
    expect(mfaEnabled(user.id)).toBe(0);
  });

  it('refuses a replayed code at step-up', async () => {
    const { user, token } = await signedInUser(server, 'agent');
    const secret = await withMfa(token);
    const code = await codeFor(secret);
    const signIn = await login(server, user.email, currentPassword, code);
    expect(signIn.status).toBe(200);
    const replay = await call(server, 'POST', '/api/auth/mfa/disable', { token, body: { currentPassword, totpCode: code } });
    expect(replay.status).toBe(403);
    expect(replay.body.error.code).toBe('invalid_totp');
    expect(mfaEnabled(user.id)).toBe(1);
  });

  it('changes the password with the current one: the old stops working, other sessions end, the caller gets a new session', async () => {
    const { user, token, session } = await signedInUser(server, 'agent');
    const otherDevice = await login(server, user.email);
    const res = await call(server, 'POST', '/api/auth/password', { token, body: { currentPassword, newPassword: NEW_PASSWORD } });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ tokenType: 'Bearer', user: { id: user.id } });
    expect((await call(server, 'GET', '/api/auth/me', { token: res.body.accessToken })).status).toBe(200);
    const fresh = await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: res.body.refreshToken } });
    expect(fresh.status).toBe(200);
    for (const old of [session.refreshToken, otherDevice.body.refreshToken]) {
      expect((await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: old } })).status).toBe(401);
    }
    expect((await loginFrom(server, uniqueAddress(), user.email)).status).toBe(401);
    expect((await loginFrom(server, uniqueAddress(), user.email, NEW_PASSWORD)).status).toBe(200);
    const audited = server.context.database.sqlite
      .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'auth.password.change' AND resource_id = ?")
      .get(user.id) as { n: number };
    expect(audited.n).toBe(1);
    const all = JSON.stringify(server.context.database.sqlite.prepare('SELECT * FROM audit_log').all());
    expect(all).not.toContain(NEW_PASSWORD);
  });

  it('a stolen access token alone cannot change the password', async () => {
    const { user, token } = await signedInUser(server, 'agent');
    const missing = await call(server, 'POST', '/api/auth/password', { token, body: { newPassword: NEW_PASSWORD } });
    expect(missing.status).toBe(400);
    const wrong = await call(server, 'POST', '/api/auth/password', { token, body: { currentPassword: 'a guess', newPassword: NEW_PASSWORD } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('invalid_current_password');
    expect((await loginFrom(server, uniqueAddress(), user.email)).status).toBe(200);
  });

  it('with MFA on, changing the password also needs a current code', async () => {
    const patient = createPatient(server, 'T-STEPUP-1');
    const user = await createUser(server, { role: 'patient', patientId: patient.id! });
    const token = (await login(server, user.email)).body.accessToken;
    const secret = await withMfa(token);
    const change = (body: Record<string, unknown>) => call(server, 'POST', '/api/auth/password', { token, body: { newPassword: NEW_PASSWORD, ...body } });
    const noCode = await change({ currentPassword });
    expect(noCode.status).toBe(403);
    expect(noCode.body.error.code).toBe('mfa_required');
    const badCode = await change({ currentPassword, totpCode: wrongCode(await codeFor(secret)) });
    expect(badCode.status).toBe(403);
    expect(badCode.body.error.code).toBe('invalid_totp');
    const ok = await change({ currentPassword, totpCode: await codeFor(secret) });
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ role: 'patient', mfaEnabled: true });
    expect((await loginFrom(server, uniqueAddress(), user.email, NEW_PASSWORD, await codeFor(secret, 1))).status).toBe(200);
  });

  it('checks the new password against the policy', async () => {
    const { token } = await signedInUser(server, 'agent');
    const short = await call(server, 'POST', '/api/auth/password', { token, body: { currentPassword, newPassword: 'short' } });
    expect(short.status).toBe(400);
    expect(short.body.error.details.issues[0].path).toBe('newPassword');
    const same = await call(server, 'POST', '/api/auth/password', { token, body: { currentPassword, newPassword: currentPassword } });
    expect(same.status).toBe(400);
    expect(same.body.error.message).toContain('must differ from the current password');
    const extra = await call(server, 'POST', '/api/auth/password', { token, body: { currentPassword, newPassword: NEW_PASSWORD, userId: 'x' } });
    expect(extra.status).toBe(400);
  });

  it('wrong current passwords share the sign-in backoff, so step-up is no side door for guessing', async () => {
    const { user, token } = await signedInUser(server, 'agent');
    const here = uniqueAddress();
    const guess = (currentPassword: string) =>
      call(server, 'POST', '/api/auth/password', { token, body: { currentPassword, newPassword: NEW_PASSWORD }, headers: { 'x-forwarded-for': here } });
    for (let i = 0; i < 5; i++) expect((await guess(`guess number ${i}`)).status).toBe(403);
    const throttled = await guess(currentPassword);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    // The same budget as signing in from that address.
    expect((await loginFrom(server, here, user.email)).status).toBe(429);
  });
});
