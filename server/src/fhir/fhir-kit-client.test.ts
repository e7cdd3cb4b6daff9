import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, type FhirResource, type PaginationParams } from 'fhir-kit-client';
import type { Bundle, CapabilityStatement, Patient } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../testing/server.js';
import { REASON, admin } from './test-support.js';

/** fhir-kit-client types every response as a loose record; the tests read them as R4 types. */
const as = <T>(value: FhirResource): T => value as unknown as T;

/** A standard FHIR client, unmodified, against the real server. */
describe('fhir-kit-client against /fhir/R4', () => {
  let server: TestServer;
  let client: Client;

  beforeAll(async () => {
    server = await startTestServer();
    const token = await server.tokenFor(admin);
    client = new Client({
      baseUrl: `${server.url}/fhir/R4`,
      customHeaders: { Authorization: `Bearer ${token}`, 'X-Access-Reason': REASON },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('reads the CapabilityStatement', async () => {
    const cs = as<CapabilityStatement>(await client.capabilityStatement());
    expect(cs.fhirVersion).toBe('4.0.1');
    expect(cs.rest![0]!.resource!.some((r) => r.type === 'Observation')).toBe(true);
  });

  it('creates, reads and updates', async () => {
    const created = as<Patient>(await client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', name: [{ family: 'Kit', given: ['Fhir'] }] } }));
    expect(created.id).toBeDefined();
    const read = as<Patient>(await client.read({ resourceType: 'Patient', id: created.id! }));
    expect(read.name![0]!.family).toBe('Kit');
    const updated = as<Patient>(await client.update({ resourceType: 'Patient', id: created.id!, body: { ...read, gender: 'female' } }));
    expect(updated.meta!.versionId).toBe('2');
    expect(as<Patient>(await client.read({ resourceType: 'Patient', id: created.id! })).gender).toBe('female');
  });

  it('searches with parameters and pages through nextPage', async () => {
    for (let i = 0; i < 7; i++) {
      await client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', name: [{ family: `Pager${i}` }], gender: 'other' } });
    }
    let page = as<Bundle>(await client.search({ resourceType: 'Patient', searchParams: { family: 'pager', gender: 'other', _count: 3 } }));
    expect(page.total).toBe(7);
    const families: string[] = [];
    for (;;) {
      families.push(...page.entry!.map((e) => (e.resource as Patient).name![0]!.family!));
      const next = client.nextPage({ bundle: page as unknown as PaginationParams['bundle'] });
      if (!next) break;
      page = as<Bundle>(await next);
    }
    expect(families.sort()).toEqual(['Pager0', 'Pager1', 'Pager2', 'Pager3', 'Pager4', 'Pager5', 'Pager6']);
  });

  it('searches with POST _search', async () => {
    const page = as<Bundle>(await client.search({ resourceType: 'Patient', searchParams: { family: 'pager0' }, options: { postSearch: true } }));
    expect(page.total).toBe(1);
  });

  it('imports a Synthea transaction Bundle', async () => {
    await client.batch({ body: JSON.parse(fs.readFileSync(new URL('./fixtures/synthea-practitioners.json', import.meta.url), 'utf8')) });
    const body = JSON.parse(fs.readFileSync(new URL('./fixtures/synthea-patient.json', import.meta.url), 'utf8'));
    const response = as<Bundle>(await client.transaction({ body }));
    expect(response.type).toBe('transaction-response');
    expect(response.entry!.every((e) => e.response!.status === '201 Created')).toBe(true);
    const patientId = response.entry![0]!.response!.location!.split('/')[1]!;
    const everything = as<Bundle>(await client.operation({ name: '$everything', resourceType: 'Patient', id: patientId, method: 'GET' }));
    expect(everything.total).toBe(body.entry.length);
  });

  it('surfaces errors as OperationOutcomes with the HTTP status', async () => {
    const error = (await client.read({ resourceType: 'Patient', id: 'not-there' }).catch((e: unknown) => e)) as { response: { status: number; data: { resourceType: string } } };
    expect(error.response.status).toBe(404);
    expect(error.response.data.resourceType).toBe('OperationOutcome');
  });
});
