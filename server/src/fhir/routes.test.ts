import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, CapabilityStatement, Observation, Patient } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../testing/server.js';
import { SEARCH_PARAMETERS, SUPPORTED_RESOURCE_TYPES } from './search-parameters.js';
import { FhirCaller, admin } from './test-support.js';

describe('FHIR R4 interactions', () => {
  let server: TestServer;
  let fhir: FhirCaller;
  let patient: Patient & { id: string };

  beforeAll(async () => {
    server = await startTestServer();
    fhir = await FhirCaller.as(server, admin);
    patient = await fhir.create<Patient>({ resourceType: 'Patient', name: [{ family: 'Okafor', given: ['Ada'] }], birthDate: '1984-07-02', gender: 'female' });
  });
  afterAll(async () => {
    await server.close();
  });

  describe('GET /metadata', () => {
    it('describes the server without a token', async () => {
      const res = await fetch(`${server.url}/fhir/R4/metadata`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
      const cs = (await res.json()) as CapabilityStatement;
      expect(cs).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', kind: 'instance', format: expect.arrayContaining(['json']) });
      const rest = cs.rest![0]!;
      expect(rest.security?.description).toMatch(/Bearer/);
      expect(rest.security?.service?.[0]?.text).toBe('Bearer JWT');
      expect(rest.interaction?.map((i) => i.code)).toEqual(['transaction', 'batch']);
      expect(rest.resource!.map((r) => r.type)).toEqual([...SUPPORTED_RESOURCE_TYPES]);
    });

    it('lists exactly the indexed search parameters, and $everything on Patient', async () => {
      const cs = (await fhir.get('/metadata')).body as CapabilityStatement;
      for (const resource of cs.rest![0]!.resource!) {
        const expected = ['_id', '_lastUpdated', ...SEARCH_PARAMETERS[resource.type as keyof typeof SEARCH_PARAMETERS].map((p) => p.name)];
        expect(resource.searchParam!.map((p) => p.name)).toEqual(expected);
        expect(resource.interaction!.map((i) => i.code)).toEqual(['read', 'vread', 'update', 'delete', 'history-instance', 'create', 'search-type']);
      }
      const patientEntry = cs.rest![0]!.resource!.find((r) => r.type === 'Patient')!;
      expect(patientEntry.operation).toEqual([expect.objectContaining({ name: 'everything' })]);
    });
  });

  describe('create and read', () => {
    it('creates with a server id, 201 and a versioned Location, ignoring the client id', async () => {
      const res = await fhir.post('/Patient', { resourceType: 'Patient', id: 'client-chosen', name: [{ family: 'Nakamura' }] });
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
      expect(res.body.id).not.toBe('client-chosen');
      expect(res.body.meta).toMatchObject({ versionId: '1', lastUpdated: expect.any(String) });
      expect(res.headers.get('location')).toBe(`${fhir.base}/Patient/${res.body.id}/_history/1`);
      expect(res.headers.get('etag')).toBe('W/"1"');
    });

    it('reads with ETag and Last-Modified', async () => {
      const res = await fhir.get(`/Patient/${patient.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(patient);
      expect(res.headers.get('etag')).toBe('W/"1"');
      expect(res.headers.get('last-modified')).toBe(new Date(patient.meta!.lastUpdated!).toUTCString());
    });

    it('answers If-None-Match with the current ETag by 304', async () => {
      const res = await fetch(`${fhir.base}/Patient/${patient.id}`, { headers: fhir.headers({ 'if-none-match': 'W/"1"' }) });
      expect(res.status).toBe(304);
    });

    it('404s an unknown id and an unsupported type, as OperationOutcomes', async () => {
      const missing = await fhir.get('/Patient/does-not-exist');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] });
      const unsupported = await fhir.get('/Medicine/1');
      expect(unsupported.status).toBe(404);
      expect(unsupported.body.issue[0].diagnostics).toContain('Resource type "Medicine" is not supported');
    });

    it('honours Prefer: return=minimal', async () => {
      const res = await fhir.post('/Patient', { resourceType: 'Patient', name: [{ family: 'Minimal' }] }, { prefer: 'return=minimal' });
      expect(res.status).toBe(201);
      expect(res.body).toBeUndefined();
      expect(res.headers.get('location')).toMatch(/\/Patient\/[^/]+\/_history\/1$/);
    });

    it('creates conditionally with If-None-Exist', async () => {
      const body = { resourceType: 'Patient', identifier: [{ system: 'urn:mrn', value: 'MRN-77' }] };
      const first = await fhir.post('/Patient', body, { 'if-none-exist': 'identifier=urn:mrn|MRN-77' });
      const second = await fhir.post('/Patient', body, { 'if-none-exist': 'identifier=urn:mrn|MRN-77' });
      expect(first.status).toBe(201);
      expect(second.status).toBe(200);
      expect(second.body.id).toBe(first.body.id);
      const search = await fhir.get('/Patient?identifier=urn:mrn|MRN-77');
      expect(search.body.total).toBe(1);
    });
  });

  describe('update, versions and delete', () => {
    it('updates with If-Match, keeps every version and refuses a stale If-Match with 412', async () => {
      const created = await fhir.create<Patient>({ resourceType: 'Patient', name: [{ family: 'Lindqvist' }] });
      const updated = await fhir.put(`/Patient/${created.id}`, { ...created, gender: 'other' }, { 'if-match': 'W/"1"' });
      expect(updated.status).toBe(200);
      expect(updated.body.meta.versionId).toBe('2');
      expect(updated.headers.get('etag')).toBe('W/"2"');

      const stale = await fhir.put(`/Patient/${created.id}`, { ...created, gender: 'male' }, { 'if-match': 'W/"1"' });
      expect(stale.status).toBe(412);
      expect(stale.body.issue[0].diagnostics).toContain('version 2, not 1');
      expect((await fhir.get(`/Patient/${created.id}`)).body.gender).toBe('other');

      const v1 = await fhir.get(`/Patient/${created.id}/_history/1`);
      expect(v1.status).toBe(200);
      expect(v1.body.gender).toBeUndefined();
      expect(v1.headers.get('etag')).toBe('W/"1"');
      expect((await fhir.get(`/Patient/${created.id}/_history/9`)).status).toBe(404);

      const history = (await fhir.get(`/Patient/${created.id}/_history`)).body as Bundle;
      expect(history).toMatchObject({ resourceType: 'Bundle', type: 'history', total: 2 });
      expect(history.entry!.map((e) => [e.resource?.meta?.versionId, e.request?.method, e.response?.status])).toEqual([
        ['2', 'PUT', '200 OK'],
        ['1', 'POST', '201 Created'],
      ]);
    });

    it('creates through PUT with the client id (201) and refuses a body id that differs from the URL', async () => {
      const put = await fhir.put('/Patient/chosen-id-1', { resourceType: 'Patient', id: 'chosen-id-1', active: true });
      expect(put.status).toBe(201);
      expect(put.body.id).toBe('chosen-id-1');
      const mismatch = await fhir.put('/Patient/chosen-id-1', { resourceType: 'Patient', id: 'other-id' });
      expect(mismatch.status).toBe(400);
      expect(mismatch.body.issue[0].diagnostics).toContain('does not match the URL');
      const missing = await fhir.put('/Patient/chosen-id-1', { resourceType: 'Patient' });
      expect(missing.status).toBe(400);
    });

    it('deletes: reads then give 410, history shows the deletion, search no longer finds it', async () => {
      const created = await fhir.create<Patient>({ resourceType: 'Patient', name: [{ family: 'Transient' }] });
      const del = await fhir.delete(`/Patient/${created.id}`);
      expect(del.status).toBe(200);
      expect(del.headers.get('etag')).toBe('W/"2"');
      const read = await fhir.get(`/Patient/${created.id}`);
      expect(read.status).toBe(410);
      expect(read.body.issue[0].code).toBe('deleted');
      expect((await fhir.get(`/Patient/${created.id}/_history/2`)).status).toBe(410);
      expect((await fhir.get(`/Patient/${created.id}/_history/1`)).status).toBe(200);
      const history = (await fhir.get(`/Patient/${created.id}/_history`)).body as Bundle;
      expect(history.entry![0]).toMatchObject({ request: { method: 'DELETE' }, response: { status: '410 Gone' } });
      expect((await fhir.get('/Patient?family=transient')).body.total).toBe(0);
      // Deleting again changes nothing and still succeeds; a resource that never existed is a 404.
      expect((await fhir.delete(`/Patient/${created.id}`)).status).toBe(200);
      expect((await fhir.get(`/Patient/${created.id}/_history`)).body.total).toBe(2);
      expect((await fhir.delete('/Patient/never-existed')).status).toBe(404);
    });

    it('refuses an If-Match that is not a version', async () => {
      const res = await fhir.put(`/Patient/${patient.id}`, patient, { 'if-match': 'banana' });
      expect(res.status).toBe(400);
    });
  });

  describe('Patient/$everything', () => {
    it('returns the patient first, their compartment, and the practitioners it refers to', async () => {
      const doctor = await fhir.create({ resourceType: 'Practitioner', name: [{ family: 'Osei' }] });
      const other = await fhir.create<Patient>({ resourceType: 'Patient', name: [{ family: 'Elsewhere' }] });
      const mine = await fhir.create({
        resourceType: 'Encounter',
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
        subject: { reference: `Patient/${patient.id}` },
        participant: [{ individual: { reference: `Practitioner/${doctor.id}` } }],
      });
      const observation = await fhir.create<Observation>({
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '8302-2' }] },
        subject: { reference: `Patient/${patient.id}` },
      });
      await fhir.create<Observation>({ ...observation, id: undefined, subject: { reference: `Patient/${other.id}` } } as Observation);
      const removed = await fhir.create<Observation>({ ...observation, id: undefined } as Observation);
      await fhir.delete(`/Observation/${removed.id}`);

      const res = await fhir.get(`/Patient/${patient.id}/$everything`);
      expect(res.status).toBe(200);
      const bundle = res.body as Bundle;
      expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 3 });
      expect(bundle.entry!.map((e) => [e.resource!.resourceType, e.resource!.id, e.search!.mode])).toEqual([
        ['Patient', patient.id, 'match'],
        ['Encounter', mine.id, 'match'],
        ['Observation', observation.id, 'match'],
        ['Practitioner', doctor.id, 'include'],
      ]);
      expect(bundle.entry![1]!.fullUrl).toBe(`${fhir.base}/Encounter/${mine.id}`);
      expect((await fhir.get('/Patient/nobody/$everything')).status).toBe(404);
    });
  });

  describe('routing', () => {
    it('answers unknown paths and unsupported methods with OperationOutcomes', async () => {
      const unknown = await fhir.get('/Patient/1/_history/1/extra');
      expect(unknown.status).toBe(404);
      expect(unknown.body.resourceType).toBe('OperationOutcome');
      const patch = await fhir.request('PATCH', `/Patient/${patient.id}`, []);
      expect(patch.status).toBe(405);
      expect(patch.body.issue[0].code).toBe('not-supported');
    });

    it('lists the FHIR endpoints in the OpenAPI document', async () => {
      const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/fhir/R4/metadata', '/fhir/R4/{type}/{id}', '/fhir/R4/Patient/{id}/$everything']));
    });
  });
});
