import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, BundleEntry, DocumentReference, ExplanationOfBenefit, ServiceRequest, Coverage } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../testing/server.js';
import { FhirCaller, admin, countRows } from './test-support.js';

/**
 * Real Synthea R4 output (eight patients and the two provider batches they depend on, see the
 * fixtures' README): every patient imports, and Patient/$everything gives back every resource of
 * its Bundle. One server of its own, so it runs beside other test files.
 */
/** The real Synthea exports, copied from the shared fixtures (SYNTHEA_FIXTURES overrides). */
const DIR = process.env.SYNTHEA_FIXTURES ?? fileURLToPath(new URL('./fixtures/synthea', import.meta.url));
const files = fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((f) => f.endsWith('.json')) : [];
const providerFiles = files.filter((f) => /^(hospital|practitioner)Information/.test(f)).sort();
const patientFiles = files.filter((f) => !providerFiles.includes(f)).sort();
const load = (file: string) => fs.readFileSync(path.join(DIR, file), 'utf8');

describe.skipIf(patientFiles.length === 0)('Synthea R4 patients', () => {
  let server: TestServer;
  let api: FhirCaller;
  const imported = new Map<string, { source: Bundle; response: Bundle }>();

  const idOf = (entry: BundleEntry) => entry.response!.location!.replace(/\/_history\/\d+$/, '');

  /** Every page of $everything, following `next` links when it pages. */
  const everything = async (patientId: string): Promise<BundleEntry[]> => {
    const entries: BundleEntry[] = [];
    let url: string | undefined = `/Patient/${patientId}/$everything`;
    while (url) {
      const res = await api.get(url);
      expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
      entries.push(...((res.body as Bundle).entry ?? []));
      const next: string | undefined = (res.body as Bundle).link?.find((l) => l.relation === 'next')?.url;
      url = next === undefined ? undefined : next.slice(next.indexOf('/fhir/R4') + '/fhir/R4'.length);
    }
    return entries;
  };

  beforeAll(async () => {
    server = await startTestServer();
    api = await FhirCaller.as(server, admin);
    // The provider batches first: the patients refer to them by identifier.
    for (const file of [...providerFiles, ...patientFiles]) {
      const res = await api.post('', load(file));
      expect(res.status, `${file}: ${JSON.stringify(res.body).slice(0, 1000)}`).toBe(200);
      imported.set(file, { source: JSON.parse(load(file)) as Bundle, response: res.body as Bundle });
    }
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it('imports the provider batches whole', () => {
    for (const file of providerFiles) {
      const { source, response } = imported.get(file)!;
      expect(response.type).toBe('batch-response');
      expect(response.entry!.map((e) => e.response!.status)).toEqual(source.entry!.map(() => '201 Created'));
    }
  });

  it.each(patientFiles)('%s: every entry is created, and $everything returns every one of them', async (file) => {
    const { source, response } = imported.get(file)!;
    expect(response.type).toBe('transaction-response');
    expect(response.entry!.map((e) => e.response!.status)).toEqual(source.entry!.map(() => '201 Created'));
    const created = response.entry!.map(idOf);
    const patientId = created.find((c) => c.startsWith('Patient/'))!.split('/')[1]!;
    const entries = await everything(patientId);
    const matches = entries.filter((e) => e.search?.mode !== 'include').map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);
    expect(new Set(matches).size).toBe(matches.length);
    expect(matches.sort()).toEqual([...created].sort());
    // The practitioners, organizations and locations they refer to come along as includes.
    expect(entries.some((e) => e.search?.mode === 'include' && e.resource!.resourceType === 'Practitioner')).toBe(true);
    expect(JSON.stringify(entries)).not.toMatch(/"reference":"(urn:uuid:|[A-Za-z]+\?)/);
  });

  it('keeps Identifier values that look like fullUrls, and resolves what contained resources refer to', async () => {
    const [file] = patientFiles;
    const { source, response } = imported.get(file!)!;
    const at = source.entry!.findIndex((e) => e.resource!.resourceType === 'DocumentReference');
    const document = (await api.get(`/${idOf(response.entry![at]!)}`)).body as DocumentReference;
    const written = source.entry![at]!.resource as DocumentReference;
    expect(written.identifier![0]!.value).toMatch(/^urn:uuid:/);
    expect(document.identifier).toEqual(written.identifier);

    const eobAt = source.entry!.findIndex((e) => e.resource!.resourceType === 'ExplanationOfBenefit');
    const eob = (await api.get(`/${idOf(response.entry![eobAt]!)}`)).body as ExplanationOfBenefit;
    const referral = eob.contained!.find((r) => r.resourceType === 'ServiceRequest') as ServiceRequest;
    const coverage = eob.contained!.find((r) => r.resourceType === 'Coverage') as Coverage;
    expect(referral.requester!.reference).toMatch(/^Practitioner\/[\w-]+$/);
    expect((await api.get(`/${referral.requester!.reference}`)).status).toBe(200);
    expect(coverage.beneficiary.reference).toBe(eob.patient.reference);
  });

  it('a read sent while a large transaction is being prepared is answered before the transaction is done', async () => {
    const largest = [...patientFiles].sort((a, b) => load(b).length - load(a).length)[0]!;
    const patient = imported.get(patientFiles[0]!)!.response.entry!.map(idOf).find((c) => c.startsWith('Patient/'))!;
    let importedAt = 0;
    const importing = api.post('', load(largest)).then((res) => {
      importedAt = performance.now();
      return res;
    });
    // The Bundle is uploaded and being prepared (over a second of validation for 1,400 entries).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const read = await api.get(`/${patient}`);
    const readAt = performance.now();
    expect(read.status).toBe(200);
    expect((await importing).status).toBe(200);
    expect(readAt).toBeLessThan(importedAt);
  });

  // Last: it deletes a practitioner the other tests' patients refer to.
  it('a practitioner deleted while a transaction is prepared fails the import instead of being referred to', async () => {
    const largest = [...patientFiles].sort((a, b) => load(b).length - load(a).length)[0]!;
    const text = load(largest);
    const identifier = /"Practitioner\?identifier=([^"]+)"/.exec(text)![1]!;
    const doctor = ((await api.get(`/Practitioner?identifier=${identifier}`)).body as Bundle).entry![0]!.resource!;
    const before = countRows(server, 'resources');
    const importing = api.post('', text);
    // While the worker prepares the Bundle (it resolved the reference from the data as it was),
    // the practitioner goes; the writer notices, prepares again, and the reference no longer resolves.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await api.delete(`/Practitioner/${doctor.id}`)).status).toBe(200);
    const res = await importing;
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(422);
    expect(res.body.issue[0].diagnostics).toContain(`Practitioner?identifier=${identifier} matched no Practitioner`);
    expect(countRows(server, 'resources')).toBe(before);
  });

  it('a Bundle written for STU3 is refused with one clear outcome, naming the first few problems', async () => {
    // What Synthea's STU3 exporter writes differently: codes where R4 has CodeableConcepts,
    // Immunization.date and .notGiven instead of occurrenceDateTime, Claim.organization for .provider.
    const file = patientFiles.find((f) => imported.get(f)!.source.entry!.length < 120)!;
    const bundle = JSON.parse(load(file)) as { entry: Array<{ resource: Record<string, unknown> }> };
    for (const { resource } of bundle.entry) {
      if (resource.resourceType === 'Immunization') {
        resource.date = resource.occurrenceDateTime;
        delete resource.occurrenceDateTime;
        resource.notGiven = false;
      }
      if (resource.resourceType === 'Claim' || resource.resourceType === 'ExplanationOfBenefit') {
        resource.organization = resource.provider;
        delete resource.provider;
      }
      if (resource.resourceType === 'DocumentReference') resource.type = 'clinical-note';
    }
    const before = countRows(server, 'resources');
    const res = await api.post('', bundle);
    expect(res.status).toBe(400);
    const [first, ...rest] = res.body.issue as Array<{ diagnostics: string; expression?: string[] }>;
    expect(first!.diagnostics).toMatch(/^\d+ of \d+ entries are invalid: Bundle\.entry\[\d+\]\.resource\.[\w[\]]+: .+; and \d+ more problems\./);
    expect(first!.diagnostics).toContain('FHIR R4 (4.0.1)');
    expect(rest.length).toBeLessThanOrEqual(21);
    expect(rest.at(-1)!.diagnostics).toMatch(/more issues are not listed/);
    expect(countRows(server, 'resources')).toBe(before);
  });
});
