import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OperationOutcome, Patient } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../testing/server.js';
import { FhirCaller, admin, agent, countRows } from './test-support.js';

/**
 * Bad input gets a clear 4xx OperationOutcome, changes nothing, and the server keeps answering.
 */
describe('FHIR API bad input', () => {
  let server: TestServer;
  let fhir: FhirCaller;
  let patient: Patient & { id: string };
  let resourcesBefore: number;

  const raw = (method: string, path: string, body: string | undefined, headers: Record<string, string>) =>
    fetch(`${fhir.base}${path}`, { method, headers: fhir.headers(headers), ...(body === undefined ? {} : { body }) });
  const outcomeOf = async (res: Response) => {
    expect(res.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    const body = (await res.json()) as OperationOutcome;
    expect(body.resourceType).toBe('OperationOutcome');
    return body;
  };
  const diagnostics = (outcome: OperationOutcome) => outcome.issue.map((i) => i.diagnostics ?? i.details?.text).join(' | ');
  const expressions = (outcome: OperationOutcome) => outcome.issue.flatMap((i) => i.expression ?? []);

  beforeAll(async () => {
    server = await startTestServer({ MAX_BODY_BYTES: '4096' });
    fhir = await FhirCaller.as(server, admin);
    patient = await fhir.create<Patient>({ resourceType: 'Patient', name: [{ family: 'Steady' }] });
    resourcesBefore = countRows(server, 'resources');
  });
  afterEach(async () => {
    // Nothing was written, and the server still answers.
    expect(countRows(server, 'resources')).toBe(resourcesBefore);
    expect((await fhir.get(`/Patient/${patient.id}`)).status).toBe(200);
  });
  afterAll(async () => {
    await server.close();
  });

  describe('request bodies', () => {
    it('malformed JSON: 400', async () => {
      const res = await raw('POST', '/Patient', '{"resourceType": "Patient", "name": [', { 'content-type': 'application/fhir+json' });
      expect(res.status).toBe(400);
      expect(diagnostics(await outcomeOf(res))).toContain('Malformed JSON');
    });

    it('a body that is not JSON, or no body at all: 415 / 400', async () => {
      const text = await raw('POST', '/Patient', JSON.stringify({ resourceType: 'Patient' }), { 'content-type': 'text/plain' });
      expect(text.status).toBe(415);
      await outcomeOf(text);
      const form = await raw('PUT', `/Patient/${patient.id}`, 'resourceType=Patient', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(form.status).toBe(415);
      const none = await raw('POST', '/Patient', undefined, {});
      expect(none.status).toBe(400);
      expect(diagnostics(await outcomeOf(none))).toContain('needs a FHIR resource');
    });

    it('an oversized body: 413', async () => {
      const big = { resourceType: 'Patient', name: [{ family: 'x'.repeat(5000) }] };
      const res = await raw('POST', '/Patient', JSON.stringify(big), { 'content-type': 'application/fhir+json' });
      expect(res.status).toBe(413);
      expect((await outcomeOf(res)).issue[0]!.code).toBe('too-costly');
    });

    it('an array, a string, or JSON without resourceType: 400', async () => {
      for (const body of ['[{"resourceType":"Patient"}]', '{"name":[{"family":"X"}]}']) {
        const res = await raw('POST', '/Patient', body, { 'content-type': 'application/json' });
        expect(res.status, body).toBe(400);
        await outcomeOf(res);
      }
    });

    it('unknown fields: 400 naming each', async () => {
      const res = await fhir.post('/Patient', { resourceType: 'Patient', colour: 'blue', name: [{ family: 'X', nickname: 'Y' }] });
      expect(res.status).toBe(400);
      expect(expressions(res.body)).toEqual(expect.arrayContaining(['Patient.colour', 'Patient.name[0].nickname']));
    });

    it('a __proto__ key is an unknown field, and pollutes nothing', async () => {
      const res = await raw('POST', '/Patient', '{"resourceType":"Patient","__proto__":{"polluted":true}}', { 'content-type': 'application/fhir+json' });
      expect(res.status).toBe(400);
      expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['a date in the wrong format', { birthDate: '31/12/1990' }, 'Patient.birthDate'],
      ['an impossible date', { birthDate: '1990-02-30' }, 'Patient.birthDate'],
      ['a number where a code goes', { gender: 42 }, 'Patient.gender'],
      ['a string where a boolean goes', { active: 'yes' }, 'Patient.active'],
      ['an object where a list goes', { name: { family: 'X' } }, 'Patient.name'],
      ['a coding code that is a number', { maritalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: 7 }] } }, 'Patient.maritalStatus.coding[0].code'],
    ])('%s: 400 with the expression', async (_label, fields, expression) => {
      const res = await fhir.post('/Patient', { resourceType: 'Patient', ...fields });
      expect(res.status).toBe(400);
      expect(expressions(res.body)).toContain(expression);
    });

    it.each<[string, string, Record<string, unknown>, string, string]>([
      ['Patient.gender "robot"', 'Patient', { gender: 'robot' }, 'Patient.gender', 'male, female, other, unknown'],
      ['Observation.status "bogus"', 'Observation', { status: 'bogus', code: { text: 'x' } }, 'Observation.status', 'final'],
      ['a narrative status outside its value set', 'Patient', { text: { status: 'made-up', div: '<div xmlns="http://www.w3.org/1999/xhtml">x</div>' } }, 'Patient.text.status', 'generated'],
      [
        'a clinical status coding from the right system with a wrong code',
        'AllergyIntolerance',
        { clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'cured' }] } },
        'AllergyIntolerance.clinicalStatus',
        'active, inactive, resolved',
      ],
    ])('a code outside its required value set (%s): 400 naming the element and the allowed codes', async (_label, type, fields, expression, allowed) => {
      const subject = type === 'AllergyIntolerance' ? { patient: { reference: `Patient/${patient.id}` } } : {};
      const res = await fhir.post(`/${type}`, { resourceType: type, ...subject, ...fields });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(expressions(res.body)).toEqual([expression]);
      expect(diagnostics(res.body)).toContain('is not in the required value set');
      expect(diagnostics(res.body)).toContain(allowed);
    });

    it('codes of other systems, and value sets that cannot be expanded here, are left alone', async () => {
      const condition = await fhir.post('/Condition', {
        resourceType: 'Condition',
        subject: { reference: `Patient/${patient.id}` },
        clinicalStatus: { coding: [{ system: 'http://example.org/local-status', code: 'cured' }] },
      });
      expect(condition.status, JSON.stringify(condition.body)).toBe(201);
      // Attachment.contentType is bound (required) to MIME types, an external code system.
      const document = await fhir.post('/DocumentReference', {
        resourceType: 'DocumentReference',
        status: 'current',
        subject: { reference: `Patient/${patient.id}` },
        content: [{ attachment: { contentType: 'application/x-carebridge-test' } }],
      });
      expect(document.status, JSON.stringify(document.body)).toBe(201);
      resourcesBefore += 2;
    });

    it.each<[string, string, Record<string, unknown>, string, string]>([
      ['a string where a CodeableConcept goes (STU3 clinicalStatus)', 'Condition', { clinicalStatus: 'active' }, 'Condition.clinicalStatus', 'Expected a CodeableConcept (a JSON object), got a string'],
      ['a string where a Reference goes', 'Observation', { status: 'final', code: { text: 'x' }, subject: 'Patient/1' }, 'Observation.subject', 'Expected a Reference (a JSON object), got a string'],
      ['a string where a list of objects goes', 'Patient', { name: 'Bob' }, 'Patient.name', 'Expected a list of HumanName (a JSON array of objects), got a string'],
      ['an object where a code goes', 'Patient', { gender: { code: 'male' } }, 'Patient.gender', 'Expected a code (a JSON string), got an object'],
    ])('%s: one issue naming the element', async (_label, type, fields, expression, message) => {
      const subject = type === 'Condition' ? { subject: { reference: `Patient/${patient.id}` } } : {};
      const res = await fhir.post(`/${type}`, { resourceType: type, ...subject, ...fields });
      expect(res.status).toBe(400);
      expect(expressions(res.body)).toEqual([expression]);
      expect(diagnostics(res.body)).toContain(message);
    });

    it('a missing required element: 400', async () => {
      const res = await fhir.post('/Observation', { resourceType: 'Observation', code: { text: 'x' } });
      expect(res.status).toBe(400);
      expect(expressions(res.body)).toContain('Observation.status');
    });

    it('a resourceType that does not match the URL, or is not supported: 400', async () => {
      const mismatch = await fhir.post('/Patient', { resourceType: 'Observation', status: 'final', code: { text: 'x' } });
      expect(mismatch.status).toBe(400);
      expect(mismatch.body.issue[0].diagnostics).toContain('the URL is for Patient');
      const unsupported = await fhir.post('/Spaceship', { resourceType: 'Spaceship' });
      expect(unsupported.status).toBe(400);
      expect(unsupported.body.issue[0].diagnostics).toContain('"Spaceship" is not supported');
      const put = await fhir.put(`/Observation/${patient.id}`, { ...patient });
      expect(put.status).toBe(400);
    });
  });

  describe('references', () => {
    it.each<[string, string, string]>([
      ['to a patient that does not exist', 'Patient/nobody-here', 'Patient/nobody-here does not exist'],
      ['in no known form', 'just some words', 'is not a FHIR reference'],
      ['to a urn:uuid outside a Bundle', 'urn:uuid:9b0c9a44-2f9e-4f47-9d8e-1f1e9c1d2b3a', 'only resolves inside a transaction Bundle'],
      ['conditional, outside a Bundle', 'Patient?identifier=urn:mrn|1', 'only resolved inside a transaction Bundle'],
    ])('%s: 422 naming the element', async (_label, reference, message) => {
      const res = await fhir.post('/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference } });
      expect(res.status).toBe(422);
      expect(res.body.issue[0].diagnostics).toContain(message);
      expect(res.body.issue[0].diagnostics).toContain('Observation.subject');
    });

    it('to a deleted resource: 422', async () => {
      const gone = await fhir.create<Patient>({ resourceType: 'Patient' });
      await fhir.delete(`/Patient/${gone.id}`);
      resourcesBefore = countRows(server, 'resources');
      const res = await fhir.post('/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${gone.id}` } });
      expect(res.status).toBe(422);
    });
  });

  describe('URLs and headers', () => {
    it('ids that do not match [A-Za-z0-9-.]{1,64}: 400', async () => {
      for (const id of ['bad$id', 'x'.repeat(65), "1'OR'1'='1"]) {
        const res = await fhir.get(`/Patient/${encodeURIComponent(id)}`);
        expect(res.status, id).toBe(400);
        await expect(Promise.resolve(res.body.resourceType)).resolves.toBe('OperationOutcome');
      }
      const put = await fhir.put('/Patient/bad$id', { resourceType: 'Patient', id: 'bad$id' });
      expect(put.status).toBe(400);
    });

    it('unexpected query parameters on a read: 400', async () => {
      const res = await fhir.get(`/Patient/${patient.id}?_elements=name`);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toContain('_elements');
    });

    it('an X-Access-Reason that is not plain text counts as no reason', async () => {
      const staff = new FhirCaller(server, await server.tokenFor(agent), '<script>alert(1)</script>');
      const res = await staff.get(`/Patient/${patient.id}`);
      expect(res.status).toBe(403);
      expect(res.body.issue[0].details.coding[0].code).toBe('reason_required');
    });

    it('a search with bad values: 400 naming the parameter', async () => {
      for (const [query, param] of [
        ['_count=abc', '_count'],
        ['birthdate=not-a-date', 'birthdate'],
        ['general-practitioner=a/b/c!', 'general-practitioner'],
        ['gender:fuzzy=male', 'gender:fuzzy'],
        ['favourite-colour=red', 'favourite-colour'],
      ]) {
        const res = await fhir.get(`/Patient?${query}`);
        expect(res.status, query).toBe(400);
        expect(res.body.issue.flatMap((i: { expression?: string[] }) => i.expression ?? []), query).toContain(param);
      }
    });
  });
});
