import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/server.js';
import { call, createPatient, createUser, login, signedInUser, uniqueEmail } from '../testing/accounts.js';

describe('account management', () => {
  let server: TestServer;
  let admin: Awaited<ReturnType<typeof signedInUser>>;
  beforeAll(async () => {
    server = await startTestServer();
    admin = await signedInUser(server, 'admin');
  });
  afterAll(async () => {
    await server.close();
  });

  const permissionChanges = (resourceId: string) =>
    (
      server.context.database.sqlite
        .prepare("SELECT actor_id, details FROM audit_log WHERE action = 'permission.change' AND resource_id = ? ORDER BY seq")
        .all(resourceId) as Array<{ actor_id: string; details: string }>
    ).map((r) => ({ actorId: r.actor_id, ...(JSON.parse(r.details) as Record<string, unknown>) }));

  it('only administrators reach the admin routes', async () => {
    const agent = await signedInUser(server, 'agent');
    const patient = createPatient(server, 'T-ADMIN-1');
    const patientUser = await signedInUser(server, 'patient', { patientId: patient.id! });
    for (const [method, path, body] of [
      ['GET', '/api/admin/users', undefined],
      ['POST', '/api/admin/users', { email: uniqueEmail(), displayName: 'X', role: 'agent', password: 'long enough password' }],
      ['GET', `/api/admin/users/${agent.user.id}`, undefined],
      ['PATCH', `/api/admin/users/${agent.user.id}`, { role: 'admin' }],
    ] as const) {
      expect((await call(server, method, path, { body })).status).toBe(401);
      const asAgent = await call(server, method, path, { body, token: agent.token });
      expect(asAgent.status).toBe(403);
      expect(asAgent.body.error.code).toBe('forbidden');
      expect((await call(server, method, path, { body, token: patientUser.token })).status).toBe(403);
    }
    // The agent did not become an admin.
    expect((await call(server, 'GET', '/api/auth/me', { token: agent.token })).body.role).toBe('agent');
  });

  it('creates staff accounts that can sign in, audited', async () => {
    const email = uniqueEmail('new-agent');
    const res = await call(server, 'POST', '/api/admin/users', {
      token: admin.token,
      body: { email: email.toUpperCase(), displayName: 'New Agent', role: 'agent', password: 'a long passphrase for work' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email, role: 'agent', displayName: 'New Agent', disabled: false, mfaEnabled: false, lockedUntil: null });
    expect(res.body).not.toHaveProperty('passwordHash');
    expect((await login(server, email, 'a long passphrase for work')).status).toBe(200);
    expect(permissionChanges(res.body.id)).toEqual([
      expect.objectContaining({ actorId: admin.user.id, change: 'account.create', before: null, after: expect.objectContaining({ role: 'agent', email }) }),
    ]);

    const duplicate = await call(server, 'POST', '/api/admin/users', {
      token: admin.token,
      body: { email, displayName: 'Again', role: 'agent', password: 'a long passphrase for work' },
    });
    expect(duplicate.status).toBe(409);
  });

  it('enforces the password policy and rejects bad account data', async () => {
    const email = uniqueEmail('policy');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ email, displayName: 'P', role: 'agent', password: 'short' }, 'at least 12'],
      [{ email, displayName: 'P', role: 'agent', password: email }, 'e-mail'],
      [{ email, displayName: 'P', role: 'agent', password: 'carebridge-demo' }, 'too common'],
      [{ email, displayName: 'P', role: 'agent', password: 'aaaaaaaaaaaaaaaa' }, 'repeat'],
      [{ email, displayName: 'P', role: 'patient', password: 'a long passphrase for work' }, 'role'],
      [{ email, displayName: 'P', role: 'superuser', password: 'a long passphrase for work' }, 'role'],
      [{ email, displayName: '<script>alert(1)</script>', role: 'agent', password: 'a long passphrase for work' }, 'displayName'],
      [{ email, displayName: 'P', role: 'agent', password: 'a long passphrase for work', isAdmin: true }, 'isAdmin'],
      [{ email: 'not-an-email', displayName: 'P', role: 'agent', password: 'a long passphrase for work' }, 'email'],
    ];
    for (const [body, mentions] of cases) {
      const res = await call(server, 'POST', '/api/admin/users', { token: admin.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body.error)).toContain(mentions);
    }
    const unknownPractitioner = await call(server, 'POST', '/api/admin/users', {
      token: admin.token,
      body: { email, displayName: 'P', role: 'practitioner', password: 'a long passphrase for work', practitionerId: 'nope' },
    });
    expect(unknownPractitioner.status).toBe(422);
    // Nothing was created by the refused requests.
    expect(server.context.database.sqlite.prepare('SELECT COUNT(*) AS n FROM users WHERE email = ?').get(email)).toEqual({ n: 0 });
  });

  it('changes roles with before/after in the audit log, effective at the next sign-in', async () => {
    const agent = await signedInUser(server, 'agent');
    const res = await call(server, 'PATCH', `/api/admin/users/${agent.user.id}`, { token: admin.token, body: { role: 'supervisor' } });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('supervisor');
    expect(permissionChanges(agent.user.id)).toEqual([
      expect.objectContaining({ actorId: admin.user.id, change: 'account.update', before: { role: 'agent' }, after: { role: 'supervisor' } }),
    ]);
    // A role change ends the account's sessions: the old tokens neither work nor refresh.
    expect((await call(server, 'GET', '/api/auth/me', { token: agent.token })).status).toBe(401);
    expect((await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: agent.session.refreshToken } })).status).toBe(401);
    const signedIn = await login(server, agent.user.email);
    expect(signedIn.body.user.role).toBe('supervisor');
    expect((await call(server, 'GET', '/api/auth/me', { token: signedIn.body.accessToken })).body.role).toBe('supervisor');
  });

  it('does not let administrators demote or disable themselves', async () => {
    const demote = await call(server, 'PATCH', `/api/admin/users/${admin.user.id}`, { token: admin.token, body: { role: 'agent' } });
    expect(demote.status).toBe(403);
    const disable = await call(server, 'PATCH', `/api/admin/users/${admin.user.id}`, { token: admin.token, body: { disabled: true } });
    expect(disable.status).toBe(403);
    expect((await call(server, 'GET', `/api/admin/users/${admin.user.id}`, { token: admin.token })).body).toMatchObject({
      role: 'admin',
      disabled: false,
    });
    // Renaming oneself is fine.
    expect((await call(server, 'PATCH', `/api/admin/users/${admin.user.id}`, { token: admin.token, body: { displayName: 'Chief' } })).status).toBe(200);
  });

  it('a demoted administrator loses account management at once, even with an unexpired token', async () => {
    const other = await signedInUser(server, 'admin');
    await call(server, 'PATCH', `/api/admin/users/${other.user.id}`, { token: admin.token, body: { role: 'agent' } });
    const res = await call(server, 'GET', '/api/admin/users', { token: other.token });
    expect(res.status).toBe(401);
  });

  it('keeps patients patients and validates updates', async () => {
    const patient = createPatient(server, 'T-ADMIN-2');
    const user = await createUser(server, { role: 'patient', patientId: patient.id! });
    expect((await call(server, 'PATCH', `/api/admin/users/${user.id}`, { token: admin.token, body: { role: 'admin' } })).status).toBe(422);
    expect((await call(server, 'PATCH', `/api/admin/users/${user.id}`, { token: admin.token, body: {} })).status).toBe(400);
    expect((await call(server, 'PATCH', `/api/admin/users/${user.id}`, { token: admin.token, body: { unlock: false } })).status).toBe(400);
    expect((await call(server, 'PATCH', `/api/admin/users/${user.id}`, { token: admin.token, body: { passwordHash: 'x' } })).status).toBe(400);
    expect((await call(server, 'PATCH', `/api/admin/users/${user.id}`, { token: admin.token, body: { disabled: 'yes' } })).status).toBe(400);
    expect((await call(server, 'PATCH', '/api/admin/users/does-not-exist', { token: admin.token, body: { disabled: true } })).status).toBe(404);
    expect((await call(server, 'PATCH', "/api/admin/users/x'%20OR%201=1", { token: admin.token, body: { disabled: true } })).status).toBe(400);
    expect(permissionChanges(user.id)).toEqual([]);
  });

  it('lists accounts with filters and pagination', async () => {
    const tag = `zz-list-${process.pid}`;
    for (let i = 0; i < 5; i++) await createUser(server, { role: 'outreach', email: `${tag}-${i}@example.test`, displayName: `Lister ${i}` });
    const first = await call(server, 'GET', `/api/admin/users?q=${tag}&limit=2`, { token: admin.token });
    expect(first.status).toBe(200);
    expect(first.body.items.map((u: { email: string }) => u.email)).toEqual([`${tag}-0@example.test`, `${tag}-1@example.test`]);
    const seen = [...first.body.items];
    let cursor = first.body.nextCursor as string | null;
    while (cursor) {
      const next = await call(server, 'GET', `/api/admin/users?q=${tag}&limit=2&cursor=${cursor}`, { token: admin.token });
      seen.push(...next.body.items);
      cursor = next.body.nextCursor;
    }
    expect(seen).toHaveLength(5);
    const byRole = await call(server, 'GET', '/api/admin/users?role=outreach&limit=200', { token: admin.token });
    expect(byRole.body.items.every((u: { role: string }) => u.role === 'outreach')).toBe(true);
    const byName = await call(server, 'GET', '/api/admin/users?q=lister%203', { token: admin.token });
    expect(byName.body.items.map((u: { displayName: string }) => u.displayName)).toEqual(['Lister 3']);
    // LIKE wildcards in the search text are literal.
    expect((await call(server, 'GET', '/api/admin/users?q=%25', { token: admin.token })).body.items).toEqual([]);
    expect((await call(server, 'GET', '/api/admin/users?limit=0', { token: admin.token })).status).toBe(400);
    expect((await call(server, 'GET', '/api/admin/users?sort=email', { token: admin.token })).status).toBe(400);
    expect((await call(server, 'GET', '/api/admin/users?cursor=***', { token: admin.token })).status).toBe(400);
  });
});
