/**
 * Revocable sessions: signing out, disabling an account, changing its role or its password ends
 * every session of the account at once — REST and FHIR requests with an older access token get 401,
 * its refresh tokens stop refreshing, and its live sockets hear `session:ended` and are
 * disconnected within a second. A socket also ends when its token expires (`session:expired`).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { startTestServer, type TestServer } from '../testing/server.js';
import { call, login, signedInUser, TEST_PASSWORD } from '../testing/accounts.js';
import { conversationsHarness, pause, until } from '../testing/conversations.js';
import { REALTIME_AUTH_ERRORS, SESSION_ENDED_MESSAGES, type SessionEndedEvent, type SessionExpiredEvent } from '../contracts/realtime.js';

const NEW_PASSWORD = 'a brand new passphrase for work';

interface WatchedSocket {
  socket: Socket;
  ended: SessionEndedEvent[];
  expired: SessionExpiredEvent[];
  /** When the server disconnected it (ms since epoch), and why (socket.io's reason). */
  disconnected: { at: number; reason: string } | null;
}

const open: Socket[] = [];

async function watchedSocket(server: TestServer, namespace: '/staff' | '/patient', token: string): Promise<WatchedSocket> {
  const socket = connect(`${server.url}${namespace}`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  open.push(socket);
  const watched: WatchedSocket = { socket, ended: [], expired: [], disconnected: null };
  socket.on('session:ended', (e: SessionEndedEvent) => watched.ended.push(e));
  socket.on('session:expired', (e: SessionExpiredEvent) => watched.expired.push(e));
  socket.on('disconnect', (reason) => (watched.disconnected = { at: Date.now(), reason }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return watched;
}

/** The handshake's answer for a token: 'connected' or the connect_error message. */
function handshake(server: TestServer, namespace: '/staff' | '/patient', token: string): Promise<string> {
  const socket = connect(`${server.url}${namespace}`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  open.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
  });
}

afterEach(() => {
  for (const s of open) s.disconnect();
  open.length = 0;
});

describe('revoked sessions', () => {
  let server: TestServer;
  let admin: Awaited<ReturnType<typeof signedInUser>>;
  beforeAll(async () => {
    server = await startTestServer();
    admin = await signedInUser(server, 'admin');
  });
  afterAll(async () => {
    await server.close();
  });

  const patch = (id: string, body: object) => call(server, 'PATCH', `/api/admin/users/${id}`, { token: admin.token, body });

  /** The changes that must end an account's sessions, each with the reason its sockets are told. */
  const changes: { name: string; reason: SessionEndedEvent['reason']; role: string; change: (u: Awaited<ReturnType<typeof signedInUser>>) => Promise<void> }[] = [
    { name: 'disabled', reason: 'disabled', role: 'agent', change: async (u) => void expect((await patch(u.user.id, { disabled: true })).status).toBe(200) },
    { name: 'demoted', reason: 'role-changed', role: 'admin', change: async (u) => void expect((await patch(u.user.id, { role: 'agent' })).status).toBe(200) },
    {
      name: 'signed out',
      reason: 'signed-out',
      role: 'agent',
      change: async (u) => void expect((await call(server, 'POST', '/api/auth/logout', { body: { refreshToken: u.session.refreshToken } })).status).toBe(204),
    },
    {
      name: 'password changed',
      reason: 'password-changed',
      role: 'agent',
      change: async (u) =>
        void expect((await call(server, 'POST', '/api/auth/password', { token: u.token, body: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD } })).status).toBe(200),
    },
  ];

  for (const { name, reason, role, change } of changes) {
    it(`refuses a token issued before the account was ${name} with 401 at once, and it no longer refreshes`, async () => {
      const user = await signedInUser(server, role);
      // A second sign-in (another device): its tokens end too.
      const other = (await login(server, user.user.email)).body;
      expect((await call(server, 'GET', '/api/presence', { token: user.token })).status).toBe(200);
      await change(user);
      for (const token of [user.token, other.accessToken]) {
        const res = await call(server, 'GET', '/api/presence', { token });
        expect(res.status).toBe(401);
        expect(res.body.error.message).toContain('session has ended');
      }
      expect((await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: other.refreshToken } })).status).toBe(401);
    });

    it(`disconnects the account's staff sockets within 1 s when it is ${name}, saying why`, async () => {
      const user = await signedInUser(server, role);
      const desks = [await watchedSocket(server, '/staff', user.token), await watchedSocket(server, '/staff', user.token)];
      const bystander = await watchedSocket(server, '/staff', (await signedInUser(server, 'agent')).token);
      const changedAt = Date.now();
      await change(user);
      for (const desk of desks) {
        await until(() => desk.disconnected ?? false, 1000);
        expect(desk.disconnected!.at - changedAt).toBeLessThan(1000);
        // A server disconnect: socket.io clients do not reconnect by themselves.
        expect(desk.disconnected!.reason).toBe('io server disconnect');
        expect(desk.ended).toEqual([{ reason, message: SESSION_ENDED_MESSAGES[reason] }]);
      }
      // The old token cannot open a new one.
      expect(await handshake(server, '/staff', user.token)).toBe(REALTIME_AUTH_ERRORS.invalidToken);
      expect(bystander.socket.connected).toBe(true);
      expect(bystander.ended).toEqual([]);
    });
  }

  it('refuses every event of a socket whose session is no longer current, even before it is disconnected', async () => {
    // As when the revocation reached this process's session cache but not (yet) its sockets.
    const user = await signedInUser(server, 'agent');
    const desk = await watchedSocket(server, '/staff', user.token);
    expect(await desk.socket.emitWithAck('presence:get')).toMatchObject({ ok: true });
    server.context.sessions.revoked(user.user.id, user.user.session_version + 1);
    expect(await desk.socket.emitWithAck('presence:get')).toEqual({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('session has ended') } });
    expect(desk.socket.connected).toBe(true);
  });

  it('a demoted administrator can no longer read the audit log or write FHIR resources with the old token', async () => {
    const demoted = await signedInUser(server, 'admin');
    expect((await call(server, 'GET', '/api/audit', { token: demoted.token })).status).toBe(200);
    expect((await patch(demoted.user.id, { role: 'agent' })).status).toBe(200);
    expect((await call(server, 'GET', '/api/audit', { token: demoted.token })).status).toBe(401);
    const write = await fetch(`${server.url}/fhir/R4/Patient`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${demoted.token}` },
      body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Nobody' }] }),
    });
    expect(write.status).toBe(401);
  });

  it('disconnects a signed-in patient on /patient when the account is disabled', async () => {
    const patient = await signedInUser(server, 'patient', { patientId: 'pat-sessions-1' });
    const portal = await watchedSocket(server, '/patient', patient.token);
    expect((await patch(patient.user.id, { disabled: true })).status).toBe(200);
    await until(() => portal.disconnected ?? false, 1000);
    expect(portal.ended).toEqual([{ reason: 'disabled', message: SESSION_ENDED_MESSAGES.disabled }]);
  });

  it('changing the password needs the current one and a password the policy accepts', async () => {
    const user = await signedInUser(server, 'agent');
    const wrong = await call(server, 'POST', '/api/auth/password', { token: user.token, body: { currentPassword: 'not my password', newPassword: NEW_PASSWORD } });
    expect(wrong.status).toBe(403);
    const weak = await call(server, 'POST', '/api/auth/password', { token: user.token, body: { currentPassword: TEST_PASSWORD, newPassword: 'short' } });
    expect(weak.status).toBe(400);
    // Neither ended the session; the right change does, and only the new password signs in.
    expect((await call(server, 'GET', '/api/presence', { token: user.token })).status).toBe(200);
    const changed = await call(server, 'POST', '/api/auth/password', { token: user.token, body: { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD } });
    expect(changed.status).toBe(200);
    // The caller carries on with the new session; the old token is spent.
    const fresh = (changed.body as { accessToken: string }).accessToken;
    expect((await call(server, 'GET', '/api/presence', { token: fresh })).status).toBe(200);
    expect((await call(server, 'GET', '/api/presence', { token: user.token })).status).toBe(401);
    expect((await login(server, user.user.email)).status).toBe(401);
    expect((await login(server, user.user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('a refresh token spent before a sign-out is refused without raising the stolen-token alarm', async () => {
    const user = await signedInUser(server, 'agent');
    const other = (await login(server, user.user.email)).body;
    await call(server, 'POST', '/api/auth/logout', { body: { refreshToken: user.session.refreshToken } });
    expect((await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: other.refreshToken } })).status).toBe(401);
    const reasons = server.context.database.sqlite
      .prepare("SELECT json_extract(details, '$.reason') AS reason FROM audit_log WHERE action = 'auth.refresh' AND actor_id = ?")
      .all(user.user.id) as { reason: string }[];
    expect(reasons).toEqual([{ reason: 'session_ended' }]);
    // Signing in again works as before.
    expect((await login(server, user.user.email)).status).toBe(200);
  });
});

describe('routing and disabled agents', () => {
  let server: TestServer;
  let adminToken: string;
  const harness = conversationsHarness(() => server);
  beforeAll(async () => {
    // No grace period: a colleague whose desk closed after a test is offline for the next one.
    server = await startTestServer({ PRESENCE_GRACE_MS: '0' });
    adminToken = (await signedInUser(server, 'admin')).token;
  });
  afterEach(() => harness.closeAll());
  afterAll(async () => {
    await server.close();
  });

  const disable = async (userId: string) =>
    expect((await call(server, 'PATCH', `/api/admin/users/${userId}`, { token: adminToken, body: { disabled: true } })).status).toBe(200);

  it('never offers a chat to an agent disabled while connected and available', async () => {
    const agent = await harness.desk('agent-disabled-1');
    await disable(agent.id);
    await until(() => !agent.socket.connected, 1000);
    const chat = await harness.visitorChat();
    await pause(200);
    expect(agent.offers).toEqual([]);
    expect(server.context.routing.agent(agent.id)?.presence).toBe('offline');
    // The chat waits for someone who may take it.
    const colleague = await harness.desk('agent-active-1');
    await harness.accept(colleague, chat.conversationId);
  });

  it('withdraws a disabled agent’s offer and refuses their accept', async () => {
    const agent = await harness.desk('agent-disabled-2');
    const chat = await harness.visitorChat();
    const offer = await until(() => agent.offers.find((o) => o.conversationId === chat.conversationId));
    await disable(agent.id);
    await until(() => !agent.socket.connected, 1000);
    expect(() => server.context.assignment.accept(agent.id, offer.offerId)).toThrow(/disabled/);
    expect(server.context.conversations.core.find(chat.conversationId)).toMatchObject({ agentId: null });
    const colleague = await harness.desk('agent-active-2');
    await harness.accept(colleague, chat.conversationId);
  });
});

describe('socket token expiry', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ACCESS_TOKEN_TTL_SECONDS: '3' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('ends a socket when its access token expires; a refreshed token connects again', async () => {
    const agent = await signedInUser(server, 'agent');
    const desk = await watchedSocket(server, '/staff', agent.token);
    expect(await desk.socket.emitWithAck('presence:set', { state: 'available' })).toMatchObject({ ok: true });
    const { exp } = JSON.parse(Buffer.from(agent.token.split('.')[1]!, 'base64url').toString()) as { exp: number };
    await until(() => desk.disconnected ?? false, exp * 1000 - Date.now() + 1000);
    expect(desk.disconnected!.at).toBeGreaterThanOrEqual(exp * 1000);
    expect(desk.disconnected!.at - exp * 1000).toBeLessThan(1000);
    expect(desk.expired).toEqual([{ message: expect.stringContaining('expired') }]);
    expect(desk.disconnected!.reason).toBe('io server disconnect');
    // The expired socket sends nothing more: socket.io buffers nothing for a server-closed socket.
    expect(desk.socket.connected).toBe(false);
    expect(await handshake(server, '/staff', agent.token)).toBe(REALTIME_AUTH_ERRORS.invalidToken);

    const refreshed = await call(server, 'POST', '/api/auth/refresh', { body: { refreshToken: agent.session.refreshToken } });
    expect(refreshed.status).toBe(200);
    const again = await watchedSocket(server, '/staff', refreshed.body.accessToken);
    expect(await again.socket.emitWithAck('presence:get')).toMatchObject({ ok: true });
  });
});
