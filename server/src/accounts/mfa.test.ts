import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/server.js';
import { call, createPatient, createUser, login, loginFrom, signedInUser, TEST_PASSWORD, totpCodeFor, uniqueAddress, wrongTotpCode } from '../testing/accounts.js';

const codeFor = totpCodeFor;
const wrongCode = wrongTotpCode;

describe('TOTP two-step sign-in', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  const currentPassword = TEST_PASSWORD;

  async function enrolAndActivate(token: string): Promise<string> {
    const enrol = await call(server, 'POST', '/api/auth/mfa/enrol', { token, body: { currentPassword } });
    expect(enrol.status).toBe(200);
    const secret = enrol.body.secret as string;
    // Activate with the previous step's code so the current one is still fresh for sign-in.
    const activate = await call(server, 'POST', '/api/auth/mfa/activate', { token, body: { currentPassword, code: await codeFor(secret, -1) } });
    expect(activate.status).toBe(200);
    expect(activate.body.mfaEnabled).toBe(true);
    return secret;
  }

  it('enrols: returns a secret and otpauth URL, stores the secret encrypted and does not enable MFA yet', async () => {
    const { user, token } = await signedInUser(server, 'agent');
    const enrol = await call(server, 'POST', '/api/auth/mfa/enrol', { token, body: { currentPassword } });
    expect(enrol.status).toBe(200);
    expect(enrol.headers.get('cache-control')).toBe('no-store');
    expect(enrol.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrol.body.otpauthUrl).toBe(
      `otpauth://totp/Carebridge:${encodeURIComponent(user.email)}?secret=${enrol.body.secret}&issuer=Carebridge`,
    );
    const row = server.context.database.sqlite.prepare('SELECT totp_secret, totp_enabled FROM users WHERE id = ?').get(user.id) as {
      totp_secret: string;
      totp_enabled: number;
    };
    expect(row.totp_enabled).toBe(0);
    expect(row.totp_secret).not.toContain(enrol.body.secret);
    expect(row.totp_secret).toMatch(/^v1:/);
    // Not active yet: password alone still signs in.
    expect((await login(server, user.email)).status).toBe(200);
  });

  it('refuses to activate with a wrong code', async () => {
    const { token } = await signedInUser(server, 'agent');
    const enrol = await call(server, 'POST', '/api/auth/mfa/enrol', { token, body: { currentPassword } });
    const wrong = wrongCode(await codeFor(enrol.body.secret));
    const res = await call(server, 'POST', '/api/auth/mfa/activate', { token, body: { currentPassword, code: wrong } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_totp');
    expect((await call(server, 'GET', '/api/auth/me', { token })).body.mfaEnabled).toBe(false);
    expect((await call(server, 'POST', '/api/auth/mfa/activate', { token, body: { currentPassword, code: 123456, extra: 1 } })).status).toBe(400);
  });

  it('activating without enrolling first is a conflict', async () => {
    const { token } = await signedInUser(server, 'agent');
    const res = await call(server, 'POST', '/api/auth/mfa/activate', { token, body: { currentPassword, code: '123456' } });
    expect(res.status).toBe(409);
  });

  it('requires the code at sign-in once active, accepts a correct one and refuses wrong or reused ones', async () => {
    const { user, token } = await signedInUser(server, 'supervisor');
    const secret = await enrolAndActivate(token);

    const noCode = await login(server, user.email);
    expect(noCode.status).toBe(401);
    expect(noCode.body.error.code).toBe('mfa_required');

    const wrong = await login(server, user.email, undefined, wrongCode(await codeFor(secret)));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_totp');

    const code = await codeFor(secret);
    const ok = await login(server, user.email, undefined, code);
    expect(ok.status).toBe(200);
    expect(ok.body.user.mfaEnabled).toBe(true);

    // The same code again (replay), and the activation code from the previous step, are refused.
    expect((await login(server, user.email, undefined, code)).body.error.code).toBe('invalid_totp');
    expect((await login(server, user.email, undefined, await codeFor(secret, -1))).body.error.code).toBe('invalid_totp');

    // One step of clock drift ahead is accepted.
    const ahead = await login(server, user.email, undefined, await codeFor(secret, 1));
    expect(ahead.status).toBe(200);

    const actions = server.context.database.sqlite
      .prepare('SELECT action FROM audit_log WHERE resource_id = ? ORDER BY seq')
      .all(user.id)
      .map((r) => (r as { action: string }).action);
    expect(actions).toContain('auth.mfa.enrol');
    expect(actions).toContain('auth.mfa.enable');
    const details = JSON.stringify(server.context.database.sqlite.prepare('SELECT details FROM audit_log').all());
    expect(details).not.toContain(code);
    expect(details).not.toContain(secret);
  });

  it('a wrong password with MFA on is still invalid_credentials (the password is checked first)', async () => {
    const { user, token } = await signedInUser(server, 'agent');
    const secret = await enrolAndActivate(token);
    const res = await login(server, user.email, 'not my password', await codeFor(secret));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_credentials');
  });

  it('counts wrong codes at sign-in towards the backoff, and asking for the code costs nothing', async () => {
    const { user, token } = await signedInUser(server, 'agent');
    const secret = await enrolAndActivate(token);
    const right = await codeFor(secret);
    const wrong = wrongCode(right);
    const here = uniqueAddress();
    // The right password without a code is not a guess: the two-step form may ask as often as it likes.
    for (let i = 0; i < 8; i++) expect((await loginFrom(server, here, user.email)).body.error.code).toBe('mfa_required');
    for (let i = 0; i < 5; i++) expect((await loginFrom(server, here, user.email, undefined, wrong)).status).toBe(401);
    const throttled = await loginFrom(server, here, user.email, undefined, right);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
  });

  it('turns MFA off with a current code; enrolling twice is a conflict while it is on', async () => {
    const { user, token } = await signedInUser(server, 'agent');
    const secret = await enrolAndActivate(token);
    expect((await call(server, 'POST', '/api/auth/mfa/enrol', { token, body: { currentPassword } })).status).toBe(409);
    const bad = await call(server, 'POST', '/api/auth/mfa/disable', { token, body: { currentPassword, totpCode: 'abcdef' } });
    expect(bad.status).toBe(400);
    const off = await call(server, 'POST', '/api/auth/mfa/disable', { token, body: { currentPassword, totpCode: await codeFor(secret) } });
    expect(off.status).toBe(200);
    expect(off.body.mfaEnabled).toBe(false);
    expect((await login(server, user.email)).status).toBe(200);
  });

  it('throttles wrong codes when disabling, so a stolen access token cannot guess its way through', async () => {
    const { token } = await signedInUser(server, 'agent');
    const secret = await enrolAndActivate(token);
    const right = await codeFor(secret);
    const wrong = wrongCode(right);
    const disable = (totpCode: string) => call(server, 'POST', '/api/auth/mfa/disable', { token, body: { currentPassword, totpCode } });
    for (let i = 0; i < 5; i++) expect((await disable(wrong)).status).toBe(403);
    const throttled = await disable(right);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('an administrator can reset MFA for a user who lost their phone', async () => {
    const { user, token } = await signedInUser(server, 'agent');
    await enrolAndActivate(token);
    const admin = await signedInUser(server, 'admin');
    const reset = await call(server, 'PATCH', `/api/admin/users/${user.id}`, { token: admin.token, body: { resetMfa: true } });
    expect(reset.status).toBe(200);
    expect(reset.body.mfaEnabled).toBe(false);
    expect((await login(server, user.email)).status).toBe(200);
    const change = server.context.database.sqlite
      .prepare("SELECT details FROM audit_log WHERE action = 'permission.change' AND resource_id = ?")
      .get(user.id) as { details: string };
    expect(JSON.parse(change.details)).toMatchObject({ before: { mfaEnabled: true }, after: { mfaEnabled: false } });
  });

  it('an administrator cannot reset their own MFA through the admin API (that would skip the step-up)', async () => {
    const admin = await signedInUser(server, 'admin');
    await enrolAndActivate(admin.token);
    const reset = await call(server, 'PATCH', `/api/admin/users/${admin.user.id}`, { token: admin.token, body: { resetMfa: true } });
    expect(reset.status).toBe(403);
    expect(reset.body.error.message).toMatch(/from your account/);
    expect((await login(server, admin.user.email)).body.error.code).toBe('mfa_required');
  });

  it('patients can use MFA too', async () => {
    const patient = createPatient(server, 'T-MFA-1');
    const user = await createUser(server, { role: 'patient', patientId: patient.id! });
    const session = await login(server, user.email);
    const secret = await enrolAndActivate(session.body.accessToken);
    expect((await login(server, user.email)).body.error.code).toBe('mfa_required');
    expect((await login(server, user.email, undefined, await codeFor(secret))).status).toBe(200);
  });

  it('MFA routes need a signed-in user', async () => {
    expect((await call(server, 'POST', '/api/auth/mfa/enrol', { body: { currentPassword } })).status).toBe(401);
    expect((await call(server, 'POST', '/api/auth/mfa/activate', { body: { currentPassword, code: '123456' } })).status).toBe(401);
    expect((await call(server, 'POST', '/api/auth/mfa/disable', { body: { currentPassword, totpCode: '123456' } })).status).toBe(401);
    expect((await call(server, 'POST', '/api/auth/password', { body: { currentPassword, newPassword: 'a new long password 1' } })).status).toBe(401);
  });
});
