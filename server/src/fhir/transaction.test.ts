import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, BundleEntry, DiagnosticReport, DocumentReference, Encounter, Observation, Patient, Provenance, Resource, ServiceRequest } from '@medplum/fhirtypes';
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

    it('refuses entries it cannot run: HEAD, conditional PUT, unsupported types, a mismatched URL', async () => {
      const entries: BundleEntry[] = [
        { request: { method: 'HEAD', url: 'Patient' } },
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

  describe('fullUrl rewriting follows R4 (references, uri/url/uuid/oid elements, narrative links)', () => {
    const PATIENT = 'urn:uuid:6d4f0c55-6a7e-4c55-9f0e-7c1f3f8a1b01';
    const REPORT = 'urn:uuid:6d4f0c55-6a7e-4c55-9f0e-7c1f3f8a1b02';
    const DOCUMENT = 'urn:uuid:6d4f0c55-6a7e-4c55-9f0e-7c1f3f8a1b03';
    let response: Bundle;
    let ids: Record<string, string>;

    beforeAll(async () => {
      const res = await api.post('', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            fullUrl: PATIENT,
            resource: {
              resourceType: 'Patient',
              text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">See <a href="${REPORT}">the report</a> and <a href="https://example.org/">elsewhere</a>.</div>` },
              // A plain string that happens to look like a fullUrl is data, not a link.
              extension: [{ url: 'http://example.org/fhir/StructureDefinition/source-note', valueString: REPORT }],
              name: [{ family: 'Rewrite' }],
            },
            request: { method: 'POST', url: 'Patient' },
          },
          {
            fullUrl: REPORT,
            resource: {
              resourceType: 'DiagnosticReport',
              status: 'final',
              code: { text: 'Narrative' },
              subject: { reference: PATIENT },
              basedOn: [{ reference: '#order' }],
              // Conditional and urn:uuid references inside contained resources are resolved too.
              contained: [
                {
                  resourceType: 'ServiceRequest',
                  id: 'order',
                  status: 'completed',
                  intent: 'order',
                  subject: { reference: PATIENT },
                  requester: { reference: 'Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999994394' },
                },
              ],
            },
            request: { method: 'POST', url: 'DiagnosticReport' },
          },
          {
            fullUrl: DOCUMENT,
            resource: {
              resourceType: 'DocumentReference',
              status: 'current',
              // As Synthea writes it: the identifier's value is the report's fullUrl, as a string.
              identifier: [{ system: 'urn:ietf:rfc:3986', value: REPORT }],
              masterIdentifier: { system: 'urn:ietf:rfc:3986', value: DOCUMENT },
              subject: { reference: PATIENT },
              content: [{ attachment: { contentType: 'text/plain', url: REPORT } }],
            },
            request: { method: 'POST', url: 'DocumentReference' },
          },
        ],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      response = res.body as Bundle;
      ids = { patient: locationOf(response.entry![0]), report: locationOf(response.entry![1]), document: locationOf(response.entry![2]) };
    });

    it('keeps string elements as they are: an Identifier.value, a valueString', async () => {
      const document = await read<DocumentReference>(ids.document!);
      expect(document.identifier![0]!.value).toBe(REPORT);
      expect(document.masterIdentifier!.value).toBe(DOCUMENT);
      const patient = await read<Patient>(ids.patient!);
      expect(patient.extension![0]!.valueString).toBe(REPORT);
    });

    it('rewrites references, url elements and narrative links', async () => {
      const document = await read<DocumentReference>(ids.document!);
      expect(document.subject!.reference).toBe(ids.patient);
      expect(document.content[0]!.attachment.url).toBe(ids.report);
      const patient = await read<Patient>(ids.patient!);
      expect(patient.text!.div).toContain(`<a href="${ids.report}">`);
      expect(patient.text!.div).toContain('<a href="https://example.org/">');
    });

    it('resolves conditional and urn:uuid references inside contained resources', async () => {
      const doctor = (await api.get('/Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999994394')).body as Bundle;
      const report = await read<DiagnosticReport>(ids.report!);
      const order = report.contained![0] as ServiceRequest;
      expect(order.requester!.reference).toBe(`Practitioner/${doctor.entry![0]!.resource!.id}`);
      expect(order.subject.reference).toBe(ids.patient);
      expect(report.basedOn![0]!.reference).toBe('#order');
    });

    it('checks references inside contained resources exist', async () => {
      const res = await api.post('', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          {
            resource: {
              resourceType: 'DiagnosticReport',
              status: 'final',
              code: { text: 'x' },
              contained: [{ resourceType: 'ServiceRequest', id: 'o', status: 'active', intent: 'order', subject: { reference: 'Patient/nobody-at-all' } }],
            },
            request: { method: 'POST', url: 'DiagnosticReport' },
          },
        ],
      });
      expect(res.status).toBe(422);
      expect(res.body.issue[0].diagnostics).toContain('Bundle.entry[0].resource.contained[0].subject');
    });
  });

  describe('GET entries: reads and searches', () => {
    it('a transaction answers them after its writes, in entry order, with the resource or searchset', async () => {
      const existing = await api.create<Patient>({ resourceType: 'Patient', name: [{ family: 'Readable' }] });
      const seq = lastAuditSeq(server);
      const res = await api.post('', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { request: { method: 'GET', url: 'Patient?identifier=urn:mrn|GET-1' } },
          { request: { method: 'GET', url: `Patient/${existing.id}` } },
          {
            fullUrl: 'urn:uuid:33333333-3333-4333-8333-333333333333',
            resource: { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: 'GET-1' }] },
            request: { method: 'POST', url: 'Patient' },
          },
          { request: { method: 'GET', url: `Patient/${existing.id}/_history/1` } },
        ],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const [search, readEntry, created, vread] = res.body.entry as BundleEntry[];
      expect(search!.response!.status).toBe('200 OK');
      const searchset = search!.resource as Bundle;
      expect(searchset.type).toBe('searchset');
      // GETs run after the writes (R4 transaction order), so the search finds the new Patient.
      expect(searchset.entry!.map((e) => e.resource!.id)).toEqual([locationOf(created).split('/')[1]]);
      expect(readEntry!.response).toMatchObject({ status: '200 OK', etag: 'W/"1"' });
      expect((readEntry!.resource as Patient).name![0]!.family).toBe('Readable');
      expect(vread!.resource!.id).toBe(existing.id);
      const actions = auditSince(server, seq).map((r) => r.action);
      expect(actions.filter((a) => a === 'phi.read')).toHaveLength(2);
      expect(actions).toContain('phi.search');
    });

    it('a transaction with a GET that fails changes nothing', async () => {
      const before = snapshot(server);
      const res = await api.post('', {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: { resourceType: 'Patient', name: [{ family: 'Never' }] }, request: { method: 'POST', url: 'Patient' } },
          { request: { method: 'GET', url: 'Patient/no-such-patient' } },
        ],
      });
      expect(res.status).toBe(404);
      expect(res.body.issue[0].diagnostics).toContain('Bundle.entry[1]');
      expect(snapshot(server)).toEqual(before);
    });

    it('a batch answers each on its own: a read, a missing read, a search, a bad search', async () => {
      const existing = await api.create<Patient>({ resourceType: 'Patient', name: [{ family: 'Batched' }] });
      const res = await api.post('', {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { request: { method: 'GET', url: `Patient/${existing.id}` } },
          { request: { method: 'GET', url: 'Patient/not-here' } },
          { request: { method: 'GET', url: `Patient?_id=${existing.id}` } },
          { request: { method: 'GET', url: 'Patient?favourite-colour=red' } },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body.entry.map((e: BundleEntry) => e.response!.status)).toEqual(['200 OK', '404 Not Found', '200 OK', '400 Bad Request']);
      expect(res.body.entry[0].resource.id).toBe(existing.id);
      expect(res.body.entry[2].resource.total).toBe(1);
    });

    it('needs a reason for clinical reads, like the API', async () => {
      const noReason = await FhirCaller.as(server, practitioner, null);
      const res = await noReason.post('', { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: `Patient/${patientId}` } }] });
      expect(res.body.entry[0].response.status).toBe('403 Forbidden');
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
