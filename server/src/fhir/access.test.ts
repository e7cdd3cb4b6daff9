import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import type { Bundle, Communication, Observation, Patient, Practitioner } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../testing/server.js';
import {
  FhirCaller,
  REASON,
  admin,
  agent,
  auditSince,
  botAuthor,
  lastAuditSeq,
  patientPrincipal,
  practitioner,
} from './test-support.js';

describe('FHIR access control and audit', () => {
  let server: TestServer;
  let adminApi: FhirCaller;
  let alice: Patient & { id: string };
  let bob: Patient & { id: string };
  let aliceObs: Observation & { id: string };
  let bobObs: Observation & { id: string };
  let doctor: Practitioner & { id: string };

  const observation = (patientId: string): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
    subject: { reference: `Patient/${patientId}` },
    valueQuantity: { value: 72, unit: '/min' },
  });
  const message = (patientId: string): Communication => ({
    resourceType: 'Communication',
    status: 'completed',
    subject: { reference: `Patient/${patientId}` },
    payload: [{ contentString: 'Can I move my appointment?' }],
  });

  beforeAll(async () => {
    server = await startTestServer();
    adminApi = await FhirCaller.as(server, admin);
    alice = await adminApi.create<Patient>({ resourceType: 'Patient', name: [{ family: 'Alvarez', given: ['Alice'] }] });
    bob = await adminApi.create<Patient>({ resourceType: 'Patient', name: [{ family: 'Brown', given: ['Bob'] }] });
    aliceObs = await adminApi.create(observation(alice.id));
    bobObs = await adminApi.create(observation(bob.id));
    doctor = await adminApi.create<Practitioner>({ resourceType: 'Practitioner', name: [{ family: 'Dube' }] });
  });
  afterAll(async () => {
    await server.close();
  });

  describe('tokens', () => {
    it('needs a token everywhere but /metadata (401 OperationOutcome)', async () => {
      expect((await fetch(`${server.url}/fhir/R4/metadata`)).status).toBe(200);
      for (const path of [`/Patient/${alice.id}`, '/Patient', '/Practitioner', `/Patient/${alice.id}/$everything`, '/nowhere']) {
        const res = await fetch(`${server.url}/fhir/R4${path}`);
        expect(res.status, path).toBe(401);
        expect(res.headers.get('content-type')).toContain('application/fhir+json');
        expect(((await res.json()) as { resourceType: string }).resourceType).toBe('OperationOutcome');
      }
      const post = await fetch(`${server.url}/fhir/R4/Patient`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: '{}' });
      expect(post.status).toBe(401);
    });

    it('refuses a token signed with another key, an expired one and a malformed header', async () => {
      const claims = { role: 'admin', email: 'admin@example.test' };
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('user-admin')
        .setIssuer('carebridge')
        .setAudience('carebridge-api')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode('a-different-secret-that-is-also-32-chars-long'));
      const expired = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('user-admin')
        .setIssuer('carebridge')
        .setAudience('carebridge-api')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 1800)
        .sign(new TextEncoder().encode(server.config.JWT_SECRET!));
      for (const [token, text] of [
        [forged, 'invalid'],
        [expired, 'expired'],
      ] as const) {
        const res = await new FhirCaller(server, token).get(`/Patient/${alice.id}`);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        expect(res.body.resourceType).toBe('OperationOutcome');
        expect(res.body.issue[0].diagnostics).toContain(text);
      }
      const malformed = await fetch(`${server.url}/fhir/R4/Patient/${alice.id}`, { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
      expect(malformed.status).toBe(401);
    });
  });

  describe('directory resources', () => {
    it('are readable by any signed-in user without a reason, and not audited', async () => {
      const seq = lastAuditSeq(server);
      for (const principal of [patientPrincipal(alice.id), botAuthor, agent]) {
        const api = await FhirCaller.as(server, principal, null);
        expect((await api.get(`/Practitioner/${doctor.id}`)).status).toBe(200);
        expect((await api.get('/Practitioner?family=dube')).body.total).toBe(1);
      }
      expect(auditSince(server, seq)).toEqual([]);
    });

    it('are changed only by admins', async () => {
      const practitionerApi = await FhirCaller.as(server, practitioner);
      const denied = await practitionerApi.post('/Organization', { resourceType: 'Organization', name: 'Clinic' });
      expect(denied.status).toBe(403);
      expect(denied.body.issue[0].code).toBe('forbidden');
      expect((await adminApi.post('/Organization', { resourceType: 'Organization', name: 'Clinic' })).status).toBe(201);
    });
  });

  describe('staff reading PHI', () => {
    it('need an X-Access-Reason (403 reason_required) and a PHI-reading role', async () => {
      const noReason = await (await FhirCaller.as(server, agent, null)).get(`/Patient/${alice.id}`);
      expect(noReason.status).toBe(403);
      expect(noReason.body.issue[0].details.coding[0].code).toBe('reason_required');
      const noReasonSearch = await (await FhirCaller.as(server, agent, null)).get('/Observation');
      expect(noReasonSearch.status).toBe(403);
      const botApi = await FhirCaller.as(server, botAuthor);
      expect((await botApi.get(`/Patient/${alice.id}`)).status).toBe(403);
    });

    it('audits a read with actor, patient, reason, request id and ip', async () => {
      const seq = lastAuditSeq(server);
      const api = await FhirCaller.as(server, agent);
      const res = await api.get(`/Observation/${aliceObs.id}`, { 'x-request-id': 'req-read-1' });
      expect(res.status).toBe(200);
      expect(auditSince(server, seq)).toEqual([
        expect.objectContaining({
          action: 'phi.read',
          outcome: 'success',
          actor_id: agent.userId,
          actor_role: 'agent',
          resource_type: 'Observation',
          resource_id: aliceObs.id,
          patient_id: alice.id,
          reason: REASON,
          request_id: 'req-read-1',
          ip: expect.stringMatching(/127\.0\.0\.1/),
        }),
      ]);
    });

    it('audits vread and history as reads too', async () => {
      const seq = lastAuditSeq(server);
      const api = await FhirCaller.as(server, agent);
      await api.get(`/Observation/${aliceObs.id}/_history/1`);
      await api.get(`/Observation/${aliceObs.id}/_history`);
      expect(auditSince(server, seq).map((r) => [r.action, r.resource_id, r.patient_id])).toEqual([
        ['phi.read', aliceObs.id, alice.id],
        ['phi.read', aliceObs.id, alice.id],
      ]);
    });

    it('audits a search once per patient whose data it returned, with the query', async () => {
      const seq = lastAuditSeq(server);
      const api = await FhirCaller.as(server, agent);
      const res = await api.get('/Observation?code=http://loinc.org|8867-4');
      expect(res.body.total).toBe(2);
      const rows = auditSince(server, seq);
      expect(rows.map((r) => [r.action, r.patient_id]).sort()).toEqual(
        [
          ['phi.search', alice.id],
          ['phi.search', bob.id],
        ].sort(),
      );
      expect(JSON.parse(rows[0]!.details!)).toMatchObject({ query: 'code=http%3A%2F%2Floinc.org%7C8867-4', matches: 1 });
    });

    it('records a search that found nothing', async () => {
      const seq = lastAuditSeq(server);
      await (await FhirCaller.as(server, agent)).get('/Patient?family=nobody');
      expect(auditSince(server, seq)).toEqual([expect.objectContaining({ action: 'phi.search', patient_id: null })]);
    });

    it('audits $everything as one read of that patient', async () => {
      const seq = lastAuditSeq(server);
      const res = await (await FhirCaller.as(server, agent)).get(`/Patient/${alice.id}/$everything`);
      expect(res.status).toBe(200);
      const rows = auditSince(server, seq);
      expect(rows).toEqual([expect.objectContaining({ action: 'phi.read', resource_type: 'Patient', resource_id: alice.id, patient_id: alice.id })]);
      expect(JSON.parse(rows[0]!.details!)).toMatchObject({ operation: '$everything', resources: 2 });
    });
  });

  describe('patients', () => {
    it('read their own record (audited) but not another patient’s (403, access.denied audited)', async () => {
      const api = await FhirCaller.as(server, patientPrincipal(alice.id), null);
      let seq = lastAuditSeq(server);
      expect((await api.get(`/Patient/${alice.id}`)).status).toBe(200);
      expect((await api.get(`/Observation/${aliceObs.id}`)).status).toBe(200);
      expect((await api.get(`/Patient/${alice.id}/$everything`)).status).toBe(200);
      expect(auditSince(server, seq).map((r) => [r.action, r.patient_id, r.actor_role])).toEqual([
        ['phi.read', alice.id, 'patient'],
        ['phi.read', alice.id, 'patient'],
        ['phi.read', alice.id, 'patient'],
      ]);

      seq = lastAuditSeq(server);
      for (const path of [`/Observation/${bobObs.id}`, `/Patient/${bob.id}`, `/Patient/${bob.id}/$everything`, `/Observation/${bobObs.id}/_history`]) {
        const res = await api.get(path);
        expect(res.status, path).toBe(403);
        expect(res.body.resourceType).toBe('OperationOutcome');
      }
      const denials = auditSince(server, seq);
      expect(denials).toHaveLength(4);
      for (const row of denials) expect(row).toMatchObject({ action: 'access.denied', outcome: 'denied', patient_id: bob.id, actor_id: `user-${alice.id}` });
    });

    it('search only their own compartment, silently', async () => {
      const api = await FhirCaller.as(server, patientPrincipal(alice.id), null);
      const all = (await api.get('/Observation')).body as Bundle;
      expect(all.entry!.map((e) => e.resource!.id)).toEqual([aliceObs.id]);
      const other = (await api.get(`/Observation?patient=${bob.id}`)).body as Bundle;
      expect(other.total).toBe(0);
      const patients = (await api.get('/Patient')).body as Bundle;
      expect(patients.entry!.map((e) => e.resource!.id)).toEqual([alice.id]);
    });

    it('write only Communication and QuestionnaireResponse about themselves, and never delete', async () => {
      const api = await FhirCaller.as(server, patientPrincipal(alice.id), null);
      const seq = lastAuditSeq(server);
      const own = await api.post('/Communication', message(alice.id));
      expect(own.status).toBe(201);
      expect(auditSince(server, seq)).toEqual([expect.objectContaining({ action: 'phi.write', patient_id: alice.id, actor_role: 'patient' })]);

      const forBob = await api.post('/Communication', message(bob.id));
      expect(forBob.status).toBe(403);
      expect(auditSince(server, seq).at(-1)).toMatchObject({ action: 'access.denied', patient_id: bob.id });

      expect((await api.post('/Observation', observation(alice.id))).status).toBe(403);
      expect((await api.put(`/Patient/${alice.id}`, { ...alice, gender: 'female' })).status).toBe(403);
      expect((await api.delete(`/Communication/${own.body.id}`)).status).toBe(403);
      // Taking over someone else's message by updating it is refused too.
      const bobsMessage = await adminApi.create(message(bob.id));
      expect((await api.put(`/Communication/${bobsMessage.id}`, { ...message(alice.id), id: bobsMessage.id })).status).toBe(403);
    });
  });

  describe('staff writing PHI', () => {
    it('needs a PHI-writing role and a reason; writes and deletes are audited', async () => {
      expect((await (await FhirCaller.as(server, agent)).post('/Observation', observation(alice.id))).status).toBe(403);
      expect((await (await FhirCaller.as(server, practitioner, null)).post('/Observation', observation(alice.id))).status).toBe(403);

      const api = await FhirCaller.as(server, practitioner);
      const seq = lastAuditSeq(server);
      const created = await api.post('/Observation', observation(alice.id));
      expect(created.status).toBe(201);
      const updated = await api.put(`/Observation/${created.body.id}`, { ...created.body, status: 'amended' });
      expect(updated.status).toBe(200);
      expect((await api.delete(`/Observation/${created.body.id}`)).status).toBe(200);
      expect(auditSince(server, seq).map((r) => [r.action, r.resource_id, r.patient_id, r.reason])).toEqual([
        ['phi.write', created.body.id, alice.id, REASON],
        ['phi.write', created.body.id, alice.id, REASON],
        ['phi.delete', created.body.id, alice.id, REASON],
      ]);
    });

    it('imports Bundles only as admin or practitioner', async () => {
      const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [] };
      expect((await (await FhirCaller.as(server, agent)).post('', bundle)).status).toBe(403);
      expect((await (await FhirCaller.as(server, patientPrincipal(alice.id), null)).post('', bundle)).status).toBe(403);
      expect((await (await FhirCaller.as(server, practitioner)).post('', bundle)).status).toBe(200);
    });
  });
});
