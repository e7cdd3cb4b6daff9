import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { startTestServer, type TestServer } from '../testing/server.js';
import { call, createUser } from '../testing/accounts.js';
import { REALTIME_AUTH_ERRORS, type Presence } from '../contracts/realtime.js';
import type { Principal } from '../platform/auth/principal.js';

let server: TestServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await startTestServer({ PRESENCE_GRACE_MS: '200' });
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server.close();
});

const staff = (userId: string, role: 'agent' | 'supervisor' | 'admin' = 'agent'): Principal => ({
  kind: 'staff',
  userId,
  email: `${userId}@example.test`,
  role,
  practitionerId: null,
});

function open(token: unknown): Socket {
  const socket = connect(`${server.url}/staff`, { auth: token === undefined ? {} : { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  return socket;
}

/** Resolves with the connect_error message, or 'connected'. */
function outcome(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
  });
}

describe('live staff channel: authentication', () => {
  it('refuses a connection without a token, with a forged token and with a patient token, saying why', async () => {
    expect(await outcome(open(undefined))).toBe(REALTIME_AUTH_ERRORS.missingToken);
    expect(await outcome(open(12345))).toBe(REALTIME_AUTH_ERRORS.missingToken);
    const genuine = await server.tokenFor(staff('forger'));
    const [header, payload] = genuine.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin' })).toString('base64url');
    expect(await outcome(open(`${header}.${forgedPayload}.${genuine.split('.')[2]}`))).toBe(REALTIME_AUTH_ERRORS.invalidToken);
    expect(await outcome(open('not-a-token'))).toBe(REALTIME_AUTH_ERRORS.invalidToken);
    const patientToken = await server.tokenFor({ kind: 'patient', userId: 'p1', email: 'p1@example.test', role: 'patient', patientId: 'pat-1' });
    expect(await outcome(open(patientToken))).toBe(REALTIME_AUTH_ERRORS.notStaff);
  });
});

describe('presence', () => {
  it('round-trips through the socket, reaches REST and supervisors, and goes offline after the last socket leaves', async () => {
    const agent = await createUser(server, { role: 'agent' });
    const supervisor = await createUser(server, { role: 'supervisor' });
    const agentToken = await server.tokenFor(staff(agent.id));
    const supervisorToken = await server.tokenFor(staff(supervisor.id, 'supervisor'));

    const watcher = open(supervisorToken);
    expect(await outcome(watcher)).toBe('connected');
    const seen: Presence[] = [];
    watcher.on('presence:changed', (p: Presence) => seen.push(p));

    // Another agent does not watch everyone's presence.
    const bystander = open(await server.tokenFor(staff('bystander-agent')));
    expect(await outcome(bystander)).toBe('connected');
    const bystanderSaw: Presence[] = [];
    bystander.on('presence:changed', (p: Presence) => bystanderSaw.push(p));

    const socket = open(agentToken);
    expect(await outcome(socket)).toBe('connected');
    const reply = await socket.emitWithAck('presence:set', { state: 'busy' });
    expect(reply).toEqual({ ok: true, presence: { userId: agent.id, state: 'busy', since: expect.any(String) } });
    expect(await socket.emitWithAck('presence:get')).toMatchObject({ ok: true, presence: { state: 'busy' } });

    const mine = await call(server, 'GET', '/api/presence', { token: agentToken });
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([expect.objectContaining({ userId: agent.id, state: 'busy' })]);
    const everyone = await call(server, 'GET', '/api/presence', { token: supervisorToken });
    expect(everyone.body.items).toContainEqual(expect.objectContaining({ userId: agent.id, state: 'busy' }));
    await expect.poll(() => seen.map((p) => `${p.userId}:${p.state}`)).toContain(`${agent.id}:busy`);

    // REST changes reach the user's live sockets too.
    const changed = new Promise<Presence>((resolve) => socket.once('presence:changed', resolve));
    const put = await call(server, 'PUT', '/api/presence/me', { token: agentToken, body: { state: 'away' } });
    expect(put.status).toBe(200);
    expect((await changed).state).toBe('away');

    expect(bystanderSaw).toEqual([]);

    socket.disconnect();
    await expect.poll(async () => (await call(server, 'GET', '/api/presence', { token: agentToken })).body.items[0].state, { timeout: 3000 }).toBe('offline');
  });

  it('keeps the state when the user reconnects within the grace period', async () => {
    const agent = await createUser(server, { role: 'agent' });
    const token = await server.tokenFor(staff(agent.id));
    const first = open(token);
    await outcome(first);
    await first.emitWithAck('presence:set', { state: 'available' });
    first.disconnect();
    const second = open(token);
    expect(await outcome(second)).toBe('connected');
    await new Promise((r) => setTimeout(r, 400));
    expect((await second.emitWithAck('presence:get')).presence.state).toBe('available');
  });

  it('answers bad payloads with an error ack and keeps the connection', async () => {
    const socket = open(await server.tokenFor(staff('bad-payload-user')));
    await outcome(socket);
    for (const payload of [{ state: 'sleeping' }, { state: 'busy', extra: 1 }, 'busy', null, { state: "busy'; DROP TABLE users;--" }]) {
      const reply = await socket.emitWithAck('presence:set', payload);
      expect(reply).toMatchObject({ ok: false, error: { code: 'bad_payload', message: expect.stringContaining('presence:set') } });
    }
    expect(socket.connected).toBe(true);
    expect(await socket.emitWithAck('presence:set', { state: 'busy' })).toMatchObject({ ok: true });
  });

  it('limits a flood of events per socket', async () => {
    const socket = open(await server.tokenFor(staff('flooder')));
    await outcome(socket);
    const replies = await Promise.all(Array.from({ length: 60 }, () => socket.emitWithAck('presence:get')));
    const limited = replies.filter((r) => !r.ok && r.error.code === 'too_many_requests');
    expect(replies.filter((r) => r.ok).length).toBe(30);
    expect(limited.length).toBe(30);
    expect(socket.connected).toBe(true);
  });

  it('validates the REST body and requires a staff sign-in', async () => {
    const token = await server.tokenFor(staff('rest-user'));
    expect((await call(server, 'PUT', '/api/presence/me', { token, body: { state: 'asleep' } })).status).toBe(400);
    expect((await call(server, 'PUT', '/api/presence/me', { token, body: { state: 'busy', userId: 'someone-else' } })).status).toBe(400);
    expect((await call(server, 'PUT', '/api/presence/me', { token, raw: '{"state":' })).status).toBe(400);
    expect((await call(server, 'GET', '/api/presence')).status).toBe(401);
    const patientToken = await server.tokenFor({ kind: 'patient', userId: 'p2', email: 'p2@example.test', role: 'patient', patientId: 'pat-2' });
    expect((await call(server, 'GET', '/api/presence', { token: patientToken })).status).toBe(403);
    const doc = (await call(server, 'GET', '/api/openapi.json')).body;
    expect(doc.paths['/api/presence/me'].put).toBeDefined();
    expect(doc.paths['/api/presence'].get).toBeDefined();
  });
});

describe('live staff channel: restart', () => {
  it('a client reconnects by itself after the server restarts on the same port', async () => {
    const restartable = await startTestServer();
    try {
      const socket = connect(`${restartable.url}/staff`, {
        auth: { token: await restartable.tokenFor(staff('restart-user')) },
        transports: ['websocket'],
        reconnectionDelay: 100,
        reconnectionDelayMax: 300,
        forceNew: true,
      });
      sockets.push(socket);
      expect(await outcome(socket)).toBe('connected');
      let lost = false;
      await restartable.restart({
        whileDown: async () => {
          await expect.poll(() => socket.connected).toBe(false);
          lost = true;
        },
      });
      expect(lost).toBe(true);
      await expect.poll(() => socket.connected, { timeout: 5000 }).toBe(true);
      expect(await socket.emitWithAck('presence:get')).toMatchObject({ ok: true });
    } finally {
      await restartable.close();
    }
  });
});
