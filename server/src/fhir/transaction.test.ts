import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, BundleEntry, DiagnosticReport, Encounter, Observation, Patient, Provenance, Resource } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../testing/server.js';
import { FhirCaller, admin, auditSince, countRows, lastAuditSeq, practitioner } from './test-support.js';

const fixture = (name: string) => JSON.parse(fs.readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Bundle;

/** Every table a Bundle import writes to, for "leaves no trace" checks. */
const TABLES = ['resources', 'resource_history', 'search_token', 'search_string', 'search_reference', 'search_date', 'audit_log'];
const snapshot = (server: TestServer) => Object.fromEntries(TABLES.map((t) => [t, countRows(server, t)]));

describe('transaction and batch Bundles', () => {
  let server: TestServer;
  let api: FhirCaller;
  let imported: Bundle;
  let patientId: string;

  const locationOf = (entry: BundleEntry | undefined) => entry!.response!.location!.replace(/\/_history\/\d+$/, '');
  const read = async <T extends Resource>(path: string) => (await api.get(`/${path}`)).body as T;

  beforeAll(async () => {
    server = await startTestServer();
    api = await FhirCaller.as(server, admin);
    // Synthea writes practitioners and organizations as a batch with ifNoneExist first…
    const directory = await api.post('', fixture('synthea-practitioners.json'));
    expect(directory.status, JSON.stringify(directory.body)).toBe(200);
    // …then one transaction per patient, referring to them by identifier.
    const res = await (await FhirCaller.as(server, practitioner)).post('', fixture('synthea-patient.json'));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    imported = res.body as Bundle;
    patientId = locationOf(imported.entry![0]).split('/')[1]!;
  });
  afterAll(async () => {
    await server.close();
  });

  describe('a Synthea patient Bundle', () => {
    it('answers with a transaction-response: status, location and etag per entry, in order', () => {
      const source = fixture('synthea-patient.json');
      expect(imported.type).toBe('transaction-response');
      expect(imported.entry).toHaveLength(source.entry!.length);
      imported.entry!.forEach((entry, i) => {
        const type = source.entry![i]!.resource!.resourceType;
        expect(entry.response).toMatchObject({ status: '201 Created', etag: 'W/"1"', location: expect.stringMatching(new RegExp(`^${type}/[\\w-]+/_history/1$`)) });
      });
    });

    it('stores every resource with a new id and every urn:uuid reference resolved, nested ones too', async () => {
      const source = fixture('synthea-patient.json');
      const idOf = new Map(source.entry!.map((e, i) => [e.fullUrl!, locationOf(imported.entry![i])]));
      const patient = await read<Patient>(`Patient/${patientId}`);
      expect(patient.id).not.toBe(source.entry![0]!.resource!.id);
      expect(patient.name![0]!.family).toBe('Müller251');

      const encounterPath = idOf.get('urn:uuid:a8a1f7f1-3c71-4a4d-a1b5-2a5e3b5f0c01')!;
      const encounter = await read<Encounter>(encounterPath);
      expect(encounter.subject!.reference).toBe(`Patient/${patientId}`);

      const report = await read<DiagnosticReport>(idOf.get('urn:uuid:0a1b2c3d-4e5f-4a6b-7c8d-9e0f1a2b3c06')!);
      expect(report.result![0]!.reference).toBe(idOf.get('urn:uuid:f5a6b7c8-d9e0-4f1a-2b3c-4d5e6f7a8b05'));
      expect(report.encounter!.reference).toBe(encounterPath);

      const provenance = await read<Provenance>(idOf.get('urn:uuid:5f6a7b8c-9d0e-4f1a-2b3c-4d5e6f7a8b11')!);
      expect(provenance.target.map((t) => t.reference)).toEqual([...idOf.values()].slice(0, 11));

      const stored = JSON.stringify((await api.get(`/Patient/${patientId}/$everything`)).body);
      expect(stored).not.toContain('urn:uuid:');
    });

    it('resolves conditional references to the practitioners and organizations imported before', async () => {
      const doctor = (await api.get('/Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999994394')).body as Bundle;
      const clinic = (await api.get('/Organization?name=springfield')).body as Bundle;
      expect(doctor.total).toBe(1);
      const encounter = (await api.get(`/Encounter?patient=${patientId}`)).body.entry[0].resource as Encounter;
      expect(encounter.participant![0]!.individual!.reference).toBe(`Practitioner/${doctor.entry![0]!.resource!.id}`);
      expect(encounter.serviceProvider!.reference).toBe(`Organization/${clinic.entry![0]!.resource!.id}`);
      expect((await api.get(`/Encounter?practitioner=${doctor.entry![0]!.resource!.id}`)).body.total).toBe(1);
    });

    it('indexes what it imported: SNOMED, LOINC and RxNorm codes are searchable', async () => {
      expect((await api.get(`/Condition?patient=${patientId}&code=http://snomed.info/sct|44054006`)).body.total).toBe(1);
      expect((await api.get(`/Observation?patient=${patientId}&code=http://loinc.org|8480-6`)).body.total).toBe(1);
      expect((await api.get(`/MedicationRequest?patient=${patientId}&code=860975`)).body.total).toBe(1);
      expect((await api.get(`/Claim?patient=${patientId}`)).body.total).toBe(1);
      expect((await api.get(`/Patient/${patientId}/$everything`)).body.total).toBe(12);
    });

    it('audits one phi.import per patient touched', async () => {
      const seq = lastAuditSeq(server);
      // Two patients in one Bundle: the fixture's, and a copy with fullUrls of its own.
      const first = fixture('synthea-patient.json');
      const copy = JSON.parse(JSON.stringify(first).replace(/urn:uuid:([0-9a-f-]+)/g, (_, id: string) => `urn:uuid:${id.slice(0, -1)}f`)) as Bundle;
      const both: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [...first.entry!, ...copy.entry!] };
      const res = await api.post('', both);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const rows = auditSince(server, seq);
      expect(rows.map((r) => r.action)).toEqual(['phi.import', 'phi.import']);
      const patients = (res.body as Bundle).entry!.filter((e) => e.response!.location!.startsWith('Patient/')).map((e) => locationOf(e).split('/')[1]);
      expect(rows.map((r) => r.patient_id).sort()).toEqual(patients.sort());
      expect(JSON.parse(rows[0]!.details!)).toMatchObject({ bundle: 'transaction', entries: 12 });
    });
  });

  describe('all or nothing', () => {
    it('a Bundle whose 5th entry is invalid leaves no trace', async () => {
      const bundle = fixture('synthea-patient.json');
      (bundle.entry![4]!.resource as Observation & { flavour?: string }).flavour = 'salty';
      (bundle.entry![4]!.resource as Observation).effectiveDateTime = 'last tuesday';
      const before = snapshot(server);
      const res = await api.post('', bundle);
      expect(res.status).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
      const expressions = res.body.issue.flatMap((i: { expression?: string[] }) => i.expression ?? []);
      expect(expressions).toEqual(['Bundle.entry[4].resource.effective[x]', 'Bundle.entry[4].resource.flavour']);
      expect(snapshot(server)).toEqual(before);
    });

    it('a bad reference found while writing rolls everything back (422)', async () => {
      const bundle = fixture('synthea-patient.json');
      (bundle.entry![6]!.resource as DiagnosticReport).result = [{ reference: 'urn:uuid:00000000-0000-0000-0000-000000000000' }];
      (bundle.entry![3]!.resource as Observation).performer = [{ reference: 'Practitioner/no-such-doctor' }];
      const before = snapshot(server);
      const res = await api.post('', bundle);
      expect(res.status).toBe(422);
      expect(res.body.issue[0].diagnostics).toBe('Bad reference at Bundle.entry[3].resource.performer[0]: Practitioner/no-such-doctor does not exist.');
      expect(res.body.issue[0].expression).toEqual(['Bundle.entry[3].resource.performer[0]']);
      expect(snapshot(server)).toEqual(before);
    });

    it('an unresolvable urn:uuid or conditional reference fails the Bundle', async () => {
      const withUrn = fixture('synthea-patient.json');
      (withUrn.entry![6]!.resource as DiagnosticReport).result = [{ reference: 'urn:uuid:00000000-0000-0000-0000-000000000000' }];
      const urn = await api.post('', withUrn);
      expect(urn.status).toBe(422);
      expect(urn.body.issue[0].diagnostics).toContain('not the fullUrl of any entry');

      const withCondition = fixture('synthea-patient.json');
      (withCondition.entry![1]!.resource as Encounter).serviceProvider = { reference: 'Organization?identifier=urn:nowhere|x' };
      const conditional = await api.post('', withCondition);
      expect(conditional.status).toBe(422);
      expect(conditional.body.issue[0].diagnostics).toContain('matched no Organization');
    });

    it('a stale ifMatch in a PUT entry fails the whole Bundle with 412', async () => {
      const patient = await api.create<Patient>({ resourceType: 'Patient', name: [{ family: 'Versioned' }] });
      const before = snapshot(server);
      const res = await api.post('', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: { resourceType: 'Patient', name: [{ family: 'Fresh' }] }, request: { method: 'POST', url: 'Patient' } },
          { resource: { ...patient, gender: 'female' }, request: { method: 'PUT', url: `Patient/${patient.id}`, ifMatch: 'W/"7"' } },
        ],
      });
      expect(res.status).toBe(412);
      expect(snapshot(server)).toEqual(before);
    });

    it('refuses entries it cannot run: GET, conditional PUT, unsupported types, a mismatched URL', async () => {
      const entries: BundleEntry[] = [
        { request: { method: 'GET', url: 'Patient' } },
        { resource: { resourceType: 'Patient' }, request: { method: 'PUT', url: 'Patient?identifier=x' } },
        { resource: { resourceType: 'Basic', code: { text: 'x' } } as Resource, request: { method: 'POST', url: 'Basic' } },
        { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Observation' } },
      ];
      const res = await api.post('', { resourceType: 'Bundle', type: 'transaction', entry: entries });
      expect(res.status).toBe(400);
      const text = JSON.stringify(res.body);
      for (const i of [0, 1, 2, 3]) expect(text).toContain(`Bundle.entry[${i}]`);
    });
  });

  describe('PUT and DELETE entries, conditional create', () => {
    it('updates and deletes by id, and ifNoneExist reuses what exists', async () => {
      const existing = await api.create<Patient>({ resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: 'T-1' }] });
      const doomed = await api.create<Patient>({ resourceType: 'Patient', name: [{ family: 'Doomed' }] });
      const res = await api.post('', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: 'urn:uuid:22222222-2222-4222-8222-222222222222',
            resource: { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: 'T-1' }] },
            request: { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=urn:mrn|T-1' },
          },
          {
            resource: { resourceType: 'Observation', status: 'final', code: { text: 'note' }, subject: { reference: 'urn:uuid:22222222-2222-4222-8222-222222222222' } },
            request: { method: 'PUT', url: 'Observation/obs-from-bundle' },
          },
          { request: { method: 'DELETE', url: `Patient/${doomed.id}` } },
        ],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.entry.map((e: BundleEntry) => e.response!.status)).toEqual(['200 OK', '201 Created', '204 No Content']);
      expect(locationOf(res.body.entry[0])).toBe(`Patient/${existing.id}`);
      expect((await read<Observation>('Observation/obs-from-bundle')).subject!.reference).toBe(`Patient/${existing.id}`);
      expect((await api.get(`/Patient/${doomed.id}`)).status).toBe(410);
    });
  });

  describe('batch', () => {
    it('runs entries independently and reports each outcome', async () => {
      const before = countRows(server, 'resources');
      const res = await api.post('', {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { resource: { resourceType: 'Patient', name: [{ family: 'BatchOne' }] }, request: { method: 'POST', url: 'Patient' } },
          { resource: { resourceType: 'Patient', birthDate: 'someday' }, request: { method: 'POST', url: 'Patient' } },
          { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/missing' } }, request: { method: 'POST', url: 'Observation' } },
          { resource: { resourceType: 'Patient', name: [{ family: 'BatchTwo' }] }, request: { method: 'POST', url: 'Patient' } },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body.type).toBe('batch-response');
      expect(res.body.entry.map((e: BundleEntry) => e.response!.status)).toEqual(['201 Created', '400 Bad Request', '422 Unprocessable Entity', '201 Created']);
      expect(res.body.entry[1].response.outcome.resourceType).toBe('OperationOutcome');
      expect(countRows(server, 'resources')).toBe(before + 2);
    });

    it('importing the practitioner batch again creates nothing new', async () => {
      const before = countRows(server, 'resources');
      const res = await api.post('', fixture('synthea-practitioners.json'));
      expect(res.body.entry.map((e: BundleEntry) => e.response!.status)).toEqual(['200 OK', '200 OK', '200 OK', '200 OK']);
      expect(countRows(server, 'resources')).toBe(before);
    });
  });

  it('refuses a Bundle that is not a transaction or batch, and a POST of a plain resource to the base', async () => {
    const collection = await api.post('', { resourceType: 'Bundle', type: 'collection', entry: [] });
    expect(collection.status).toBe(400);
    expect(collection.body.issue[0].diagnostics).toContain('transaction or batch');
    const patient = await api.post('', { resourceType: 'Patient' });
    expect(patient.status).toBe(400);
    const extra = await api.post('', { resourceType: 'Bundle', type: 'transaction', entry: [], colour: 'blue' });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body)).toContain('colour');
  });
});
