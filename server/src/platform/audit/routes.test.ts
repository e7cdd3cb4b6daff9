import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../testing/server.js';
import { call, createPatient, signedInUser } from '../../testing/accounts.js';
import { hashAuditRow, type AuditRow } from './audit.js';

describe('audit log endpoints', () => {
  let server: TestServer;
  let admin: Awaited<ReturnType<typeof signedInUser>>;
  beforeAll(async () => {
    server = await startTestServer();
    admin = await signedInUser(server, 'admin');
  });
  afterAll(async () => {
    await server.close();
  });

  /** Appends a row as if it happened at `at` (the chain stays valid: the hash covers `at`). */
  function recordAt(at: string, action: string, extra: Partial<AuditRow> = {}): void {
    const sqlite = server.context.database.sqlite;
    sqlite.transaction(() => {
      const head = sqlite.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string };
      const base = {
        seq: head.seq + 1,
        at,
        actor_id: null,
        actor_role: null,
        action,
        outcome: 'success',
        resource_type: null,
        resource_id: null,
        patient_id: null,
        reason: null,
        ip: null,
        request_id: null,
        details: null,
        ...extra,
      };
      sqlite
        .prepare(
          `INSERT INTO audit_log (seq, at, actor_id, actor_role, action, outcome, resource_type, resource_id, patient_id, reason, ip, request_id, details, prev_hash, hash)
           VALUES (@seq, @at, @actor_id, @actor_role, @action, @outcome, @resource_type, @resource_id, @patient_id, @reason, @ip, @request_id, @details, @prev_hash, @hash)`,
        )
        .run({ ...base, prev_hash: head.hash, hash: hashAuditRow(base, head.hash) });
    })();
  }

  it('returns the last 24 hours by default, newest first, to administrators only', async () => {
    recordAt('2020-01-01T00:00:00.000Z', 'test.ancient');
    server.context.audit.record({ action: 'test.recent', actorId: admin.user.id, actorRole: 'admin' });
    const res = await call(server, 'GET', '/api/audit', { token: admin.token });
    expect(res.status).toBe(200);
    const actions = res.body.items.map((i: { action: string }) => i.action);
    expect(actions).toContain('test.recent');
    expect(actions).toContain('auth.login');
    expect(actions).not.toContain('test.ancient');
    const seqs = res.body.items.map((i: { seq: number }) => i.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(Date.parse(res.body.to) - Date.parse(res.body.from)).toBe(24 * 3600 * 1000);
    expect(res.body.items[0]).toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const agent = await signedInUser(server, 'agent');
    expect((await call(server, 'GET', '/api/audit', { token: agent.token })).status).toBe(403);
    expect((await call(server, 'GET', '/api/audit')).status).toBe(401);
  });

  it('filters by an explicit time range, action, actor and patient, and pages with a cursor', async () => {
    for (let i = 0; i < 5; i++) recordAt(`2021-06-0${i + 1}T12:00:00.000Z`, 'test.range', { actor_id: `actor-${i % 2}`, patient_id: 'p-range' });
    recordAt('2021-06-10T12:00:00.000Z', 'test.range');
    const range = 'from=2021-06-01T00:00:00Z&to=2021-06-06T00:00:00Z';
    const all = await call(server, 'GET', `/api/audit?${range}&action=test.range`, { token: admin.token });
    expect(all.body.items.map((i: { at: string }) => i.at.slice(0, 10))).toEqual([
      '2021-06-05',
      '2021-06-04',
      '2021-06-03',
      '2021-06-02',
      '2021-06-01',
    ]);
    const byActor = await call(server, 'GET', `/api/audit?${range}&actor=actor-1`, { token: admin.token });
    expect(byActor.body.items).toHaveLength(2);
    const byPatient = await call(server, 'GET', `/api/audit?${range}&patient=p-range&limit=2`, { token: admin.token });
    expect(byPatient.body.items).toHaveLength(2);
    const next = await call(server, 'GET', `/api/audit?${range}&patient=p-range&limit=2&cursor=${byPatient.body.nextCursor}`, {
      token: admin.token,
    });
    const last = await call(server, 'GET', `/api/audit?${range}&patient=p-range&limit=2&cursor=${next.body.nextCursor}`, { token: admin.token });
    expect(last.body.items).toHaveLength(1);
    expect(last.body.nextCursor).toBeNull();
    const pagedSeqs = [...byPatient.body.items, ...next.body.items, ...last.body.items].map((i: { seq: number }) => i.seq);
    expect(new Set(pagedSeqs).size).toBe(5);
    // Only `from`: up to 24 hours after it.
    const fromOnly = await call(server, 'GET', '/api/audit?to=2021-06-03T00:00:00Z&action=test.range', { token: admin.token });
    expect(fromOnly.body.items.map((i: { at: string }) => i.at.slice(0, 10))).toEqual(['2021-06-02']);
  });

  it('audits reads of the audit log', async () => {
    await call(server, 'GET', '/api/audit?action=phi.read', { token: admin.token });
    const row = server.context.database.sqlite
      .prepare("SELECT actor_id, details FROM audit_log WHERE action = 'audit.read' ORDER BY seq DESC LIMIT 1")
      .get() as { actor_id: string; details: string };
    expect(row.actor_id).toBe(admin.user.id);
    expect(JSON.parse(row.details)).toMatchObject({ action: 'phi.read' });
  });

  it('rejects bad queries with 400', async () => {
    for (const q of [
      'from=yesterday',
      'from=2021-06-02T00:00:00Z&to=2021-06-01T00:00:00Z',
      'limit=0',
      'limit=100000',
      'limit=abc',
      'cursor=not-a-cursor!',
      `cursor=${Buffer.from('0').toString('base64url')}`,
      'action=DROP%20TABLE',
      "actor=x'%20OR%20'1'='1",
      'unknown=1',
      'action=a&action=b',
    ]) {
      const res = await call(server, 'GET', `/api/audit?${q}`, { token: admin.token });
      expect(res.status, q).toBe(400);
      expect(res.body.error.code, q).toBe('validation_failed');
    }
  });

  it("never shows another patient's identity in a patient's access log, even when that patient was refused this record", async () => {
    const record = createPatient(server, 'T-AUDIT-NEUTRAL-1');
    const owner = await signedInUser(server, 'patient', { patientId: record.id! });
    const otherRecord = createPatient(server, 'T-AUDIT-NEUTRAL-2', 'Grace', 'Hopper');
    const intruder = await signedInUser(server, 'patient', { patientId: otherRecord.id! });
    server.context.database.sqlite.prepare("UPDATE users SET display_name = 'Grace Hopper' WHERE id = ?").run(intruder.user.id);
    // The other patient tries to read this record through the FHIR API: refused, and audited against it.
    const refused = await fetch(`${server.url}/fhir/R4/Patient/${record.id!}`, { headers: { Authorization: `Bearer ${intruder.token}` } });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    server.context.audit.record({ actorId: intruder.user.id, actorRole: 'patient', action: 'phi.read', outcome: 'failure', resourceType: 'Patient', resourceId: record.id!, patientId: record.id! });
    // The owner's own reads still say who they are.
    server.context.audit.record({ actorId: owner.user.id, actorRole: 'patient', action: 'phi.read', resourceType: 'Patient', resourceId: record.id!, patientId: record.id! });

    const res = await call(server, 'GET', '/api/me/access-log', { token: owner.token });
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('Grace');
    expect(text).not.toContain('Hopper');
    const byIntruder = res.body.items.filter((e: { outcome: string; who: { displayName: string; role: string } | null }) => e.outcome === 'failure');
    expect(byIntruder.length).toBeGreaterThan(0);
    for (const entry of byIntruder) expect(entry.who).toEqual({ displayName: 'Another portal user', role: 'patient' });
    expect(res.body.items.some((e: { who: { displayName: string } | null }) => e.who?.displayName === owner.user.display_name)).toBe(true);
  });

  it("shows a patient who read their record and why, by name and role but not e-mail; staff get 403", async () => {
    const patient = createPatient(server, 'T-AUDIT-1');
    const other = createPatient(server, 'T-AUDIT-2');
    const patientUser = await signedInUser(server, 'patient', { patientId: patient.id! });
    const agent = await signedInUser(server, 'agent');
    server.context.database.sqlite.prepare("UPDATE users SET display_name = 'Agent Smith' WHERE id = ?").run(agent.user.id);

    server.context.audit.record({
      actorId: agent.user.id,
      actorRole: 'agent',
      action: 'phi.read',
      resourceType: 'Patient',
      resourceId: patient.id!,
      patientId: patient.id!,
      reason: 'Inbound call about an appointment',
    });
    server.context.audit.record({ actorId: agent.user.id, actorRole: 'agent', action: 'phi.read', patientId: other.id!, reason: 'other patient' });
    server.context.audit.record({ action: 'phi.import', patientId: patient.id!, resourceType: 'Bundle' });
    server.context.audit.record({
      actorId: agent.user.id,
      actorRole: 'agent',
      action: 'phi.search',
      resourceType: 'Observation',
      patientId: patient.id!,
      reason: 'Checking lab results',
    });

    const res = await call(server, 'GET', '/api/me/access-log', { token: patientUser.token });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        at: expect.any(String),
        action: 'phi.search',
        outcome: 'success',
        who: { displayName: 'Agent Smith', role: 'agent' },
        resourceType: 'Observation',
        resourceId: null,
        reason: 'Checking lab results',
      },
      { at: expect.any(String), action: 'phi.import', outcome: 'success', who: null, resourceType: 'Bundle', resourceId: null, reason: null },
      {
        at: expect.any(String),
        action: 'phi.read',
        outcome: 'success',
        who: { displayName: 'Agent Smith', role: 'agent' },
        resourceType: 'Patient',
        resourceId: patient.id,
        reason: 'Inbound call about an appointment',
      },
    ]);
    expect(JSON.stringify(res.body)).not.toContain(agent.user.email);
    expect(JSON.stringify(res.body)).not.toContain('other patient');

    const page1 = await call(server, 'GET', '/api/me/access-log?limit=2', { token: patientUser.token });
    expect(page1.body.items).toHaveLength(2);
    const page2 = await call(server, 'GET', `/api/me/access-log?limit=2&cursor=${page1.body.nextCursor}`, { token: patientUser.token });
    expect(page2.body.items.map((i: { action: string }) => i.action)).toEqual(['phi.read']);
    expect(page2.body.nextCursor).toBeNull();

    expect((await call(server, 'GET', '/api/me/access-log', { token: agent.token })).status).toBe(403);
    expect((await call(server, 'GET', '/api/me/access-log', { token: admin.token })).status).toBe(403);
    expect((await call(server, 'GET', '/api/me/access-log')).status).toBe(401);
    expect((await call(server, 'GET', '/api/me/access-log?patient=other', { token: patientUser.token })).status).toBe(400);
  });
});
