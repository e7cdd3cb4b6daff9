import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTING_SKILLS } from '../contracts/routing.js';
import { startTestServer, type TestServer } from '../testing/server.js';
import { call, createPatient, createUser, signedInUser } from '../testing/accounts.js';
import type { AgentProfileChange } from './routing-profiles.js';
import { demoEmail } from './demo-accounts.js';
import { listen } from '../platform/events.js';

describe('agent routing profiles', () => {
  let server: TestServer;
  let admin: Awaited<ReturnType<typeof signedInUser>>;
  let supervisor: Awaited<ReturnType<typeof signedInUser>>;
  beforeAll(async () => {
    server = await startTestServer();
    [admin, supervisor] = await Promise.all([signedInUser(server, 'admin'), signedInUser(server, 'supervisor')]);
  });
  afterAll(async () => {
    await server.close();
  });

  const path = (id: string) => `/api/admin/users/${id}/routing-profile`;

  it('gives an agent without a stored profile all six skills and capacity 4', async () => {
    const agent = await createUser(server, { role: 'agent' });
    const res = await call(server, 'GET', path(agent.id), { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ skills: [...ROUTING_SKILLS], capacity: 4 });
    expect(server.context.agentProfiles.get(agent.id)).toEqual({ skills: [...ROUTING_SKILLS], capacity: 4 });
  });

  it('lets an admin set skills and capacity, tells listeners at once, audits the change, and supervisors read it', async () => {
    const agent = await createUser(server, { role: 'agent' });
    const changes: AgentProfileChange[] = [];
    const unsubscribe = server.context.bus.register(listen('accounts.routing-profile-changed', 'test', (c) => changes.push(c)));
    try {
      const put = await call(server, 'PUT', path(agent.id), { token: admin.token, body: { skills: ['spanish', 'general', 'spanish'], capacity: 2 } });
      expect(put.status).toBe(200);
      // In the contract's order, each once.
      expect(put.body).toEqual({ skills: ['general', 'spanish'], capacity: 2 });
      expect(changes).toEqual([{ userId: agent.id, profile: { skills: ['general', 'spanish'], capacity: 2 } }]);
    } finally {
      unsubscribe();
    }
    expect(server.context.agentProfiles.get(agent.id)).toEqual({ skills: ['general', 'spanish'], capacity: 2 });
    const read = await call(server, 'GET', path(agent.id), { token: supervisor.token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ skills: ['general', 'spanish'], capacity: 2 });

    // Capacity 0 takes the agent out of routing; an empty skill list is allowed too.
    const off = await call(server, 'PUT', path(agent.id), { token: admin.token, body: { skills: [], capacity: 0 } });
    expect(off.body).toEqual({ skills: [], capacity: 0 });

    const audit = server.context.database.sqlite
      .prepare("SELECT actor_id, details FROM audit_log WHERE action = 'permission.change' AND resource_id = ? ORDER BY seq")
      .all(agent.id) as { actor_id: string; details: string }[];
    expect(audit.map((r) => ({ actor: r.actor_id, ...(JSON.parse(r.details) as object) }))).toEqual([
      { actor: admin.user.id, change: 'routing-profile', before: null, after: { skills: ['general', 'spanish'], capacity: 2 } },
      { actor: admin.user.id, change: 'routing-profile', before: { skills: ['general', 'spanish'], capacity: 2 }, after: { skills: [], capacity: 0 } },
    ]);
  });

  it('refuses callers without the right role: 401 without a token, 403 for agents, patients, and supervisors writing', async () => {
    const agent = await signedInUser(server, 'agent');
    const patient = createPatient(server, 'T-PROFILE-1');
    const patientUser = await signedInUser(server, 'patient', { patientId: patient.id! });
    const body = { skills: ['general'], capacity: 10 };
    expect((await call(server, 'GET', path(agent.user.id))).status).toBe(401);
    expect((await call(server, 'PUT', path(agent.user.id), { body })).status).toBe(401);
    for (const token of [agent.token, patientUser.token]) {
      expect((await call(server, 'GET', path(agent.user.id), { token })).status).toBe(403);
      expect((await call(server, 'PUT', path(agent.user.id), { token, body })).status).toBe(403);
    }
    expect((await call(server, 'PUT', path(agent.user.id), { token: supervisor.token, body })).status).toBe(403);
    // Nothing changed.
    expect(server.context.agentProfiles.get(agent.user.id).capacity).toBe(4);
  });

  it('answers 404 for unknown accounts, 409 for accounts that are not agents or supervisors, 400 for bad bodies', async () => {
    expect((await call(server, 'GET', path('no-such-user'), { token: admin.token })).status).toBe(404);
    expect((await call(server, 'PUT', path('no-such-user'), { token: admin.token, body: { skills: [], capacity: 1 } })).status).toBe(404);
    expect((await call(server, 'GET', path('bad id; DROP TABLE users'), { token: admin.token })).status).toBe(400);

    const outreach = await createUser(server, { role: 'outreach' });
    const notRouted = await call(server, 'PUT', path(outreach.id), { token: admin.token, body: { skills: ['general'], capacity: 1 } });
    expect(notRouted.status).toBe(409);
    expect(notRouted.body.error.message).toMatch(/agents and supervisors/);
    expect((await call(server, 'GET', path(supervisor.user.id), { token: admin.token })).status).toBe(200);

    const agent = await createUser(server, { role: 'agent' });
    for (const body of [
      { skills: ['general'], capacity: 11 },
      { skills: ['general'], capacity: -1 },
      { skills: ['general'], capacity: 1.5 },
      { skills: ['astrology'], capacity: 1 },
      { skills: 'general', capacity: 1 },
      { skills: ['general'] },
      { skills: ['general'], capacity: 1, extra: true },
    ]) {
      const res = await call(server, 'PUT', path(agent.id), { token: admin.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const malformed = await call(server, 'PUT', path(agent.id), { token: admin.token, raw: '{"skills": [' });
    expect(malformed.status).toBe(400);
    expect(server.context.database.sqlite.prepare('SELECT COUNT(*) AS n FROM agent_routing_profiles WHERE user_id = ?').get(agent.id)).toEqual({ n: 0 });
  });

  it('re-checks that the caller is still an active admin', async () => {
    const other = await signedInUser(server, 'admin');
    const agent = await createUser(server, { role: 'agent' });
    server.context.database.sqlite.prepare("UPDATE users SET role = 'agent' WHERE id = ?").run(other.user.id);
    const res = await call(server, 'PUT', path(agent.id), { token: other.token, body: { skills: ['general'], capacity: 1 } });
    expect(res.status).toBe(403);
    expect(server.context.agentProfiles.get(agent.id).capacity).toBe(4);
  });

  it("gives the demo agents profiles once (one speaks Spanish), keeping an admin's later edits", async () => {
    await server.context.accounts.ensureDemoAccounts();
    const idOf = (local: string) => server.context.accounts.accounts.repository.findByEmail(demoEmail(local))!.id;
    expect(server.context.agentProfiles.get(idOf('agent1'))).toEqual({ skills: [...ROUTING_SKILLS], capacity: 4 });
    expect(server.context.agentProfiles.get(idOf('agent3'))).toEqual({ skills: ['scheduling', 'general', 'spanish'], capacity: 4 });
    expect(server.context.agentProfiles.get(idOf('agent5'))).toEqual({ skills: ['billing', 'general'], capacity: 2 });
    await call(server, 'PUT', path(idOf('agent5')), { token: admin.token, body: { skills: ['billing'], capacity: 6 } });
    await server.context.accounts.ensureDemoAccounts();
    expect(server.context.agentProfiles.get(idOf('agent5'))).toEqual({ skills: ['billing'], capacity: 6 });
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = await call(server, 'GET', '/api/openapi.json');
    expect(Object.keys(doc.body.paths['/api/admin/users/{id}/routing-profile'])).toEqual(['get', 'put']);
  });
});
