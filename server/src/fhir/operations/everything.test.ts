import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, DiagnosticReport, Immunization } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../../testing/server.js';
import { FhirCaller, admin, auditSince, lastAuditSeq, patientPrincipal } from '../test-support.js';

/** The real Synthea exports in ../fixtures/synthea (SYNTHEA_FIXTURES overrides). */
const SYNTHEA_DIR = process.env.SYNTHEA_FIXTURES ?? path.resolve(import.meta.dirname, '../fixtures/synthea');
const synthea = (file: string) => JSON.parse(fs.readFileSync(path.join(SYNTHEA_DIR, file), 'utf8')) as Bundle;

type Entry = { resource: { resourceType: string; id: string; meta?: { lastUpdated?: string } }; search: { mode: 'match' | 'include' } };
const entries = (bundle: Bundle) => (bundle.entry ?? []) as unknown as Entry[];
const keyOf = (e: Entry) => `${e.resource.resourceType}/${e.resource.id}`;
const matches = (bundle: Bundle) => entries(bundle).filter((e) => e.search.mode === 'match').map(keyOf);
const nextLink = (bundle: Bundle) => bundle.link?.find((l) => l.relation === 'next')?.url;

describe('Patient/$everything on a Synthea patient', () => {
  let server: TestServer;
  let api: FhirCaller;
  let patientId: string;
  /** Every resource of the compartment, from one unpaged request. */
  let all: string[];

  /** Follows next links from `first`, returning every page; `between(n)` runs after page n. */
  async function pages(first: Bundle, between?: (page: number) => Promise<void>): Promise<Bundle[]> {
    const out = [first];
    for (let url = nextLink(first); url !== undefined; url = nextLink(out.at(-1)!)) {
      await between?.(out.length);
      const res = await api.get(url.slice(api.base.length));
      expect(res.status, url).toBe(200);
      out.push(res.body as Bundle);
      if (out.length > 100) throw new Error('too many pages');
    }
    return out;
  }

  beforeAll(async () => {
    if (!fs.existsSync(SYNTHEA_DIR)) throw new Error(`The Synthea fixtures are missing: ${SYNTHEA_DIR} (set SYNTHEA_FIXTURES).`);
    server = await startTestServer();
    api = await FhirCaller.as(server, admin);
    for (const file of ['hospitalInformation1631543164888.json', 'practitionerInformation1631543164888.json']) {
      expect((await api.post('', synthea(file))).status).toBe(200);
    }
    const imported = await api.post('', synthea('Lemuel304_Wiegand701_614fbadf-adb3-d9a1-4ccf-f3d54192f0b1.json'));
    expect(imported.status).toBe(200);
    patientId = ((await api.get('/Patient?family=Wiegand701')).body as Bundle).entry![0]!.resource!.id!;
    const whole = (await api.get(`/Patient/${patientId}/$everything`)).body as Bundle;
    all = matches(whole);
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it('answers in one page by default: the Patient first, then its record, then the directory it refers to', async () => {
    const res = await api.get(`/Patient/${patientId}/$everything`);
    const bundle = res.body as Bundle;
    expect(all).toHaveLength(59);
    expect(bundle.total).toBe(59);
    expect(nextLink(bundle)).toBeUndefined();
    expect(all[0]).toBe(`Patient/${patientId}`);
    const included = entries(bundle).filter((e) => e.search.mode === 'include');
    expect(included.length).toBeGreaterThan(0);
    expect(new Set(included.map((e) => e.resource.resourceType))).toEqual(new Set(['Practitioner', 'Organization', 'Location'].filter((t) => included.some((e) => e.resource.resourceType === t))));
  });

  it('pages with _count: every resource exactly once, the same total on every page, one audit row per page', async () => {
    const seq = lastAuditSeq(server);
    const first = (await api.get(`/Patient/${patientId}/$everything?_count=7`)).body as Bundle;
    const all7 = await pages(first);
    expect(all7).toHaveLength(Math.ceil(59 / 7));
    const seen = all7.flatMap(matches);
    expect(seen).toEqual(all);
    for (const page of all7) {
      expect(page.total).toBe(59);
      expect(matches(page).length).toBeLessThanOrEqual(7);
      // Each page carries the directory resources its own members refer to.
      const memberText = JSON.stringify(entries(page).filter((e) => e.search.mode === 'match'));
      for (const e of entries(page).filter((x) => x.search.mode === 'include')) expect(memberText).toContain(`${e.resource.resourceType}/${e.resource.id}`);
    }
    expect(nextLink(first)).toMatch(/\$everything\?_count=7&_cursor=/);
    const rows = auditSince(server, seq);
    expect(rows).toHaveLength(all7.length);
    for (const row of rows) expect(row).toMatchObject({ action: 'phi.read', resource_type: 'Patient', resource_id: patientId, patient_id: patientId });
  });

  it('_type keeps only those types, directory resources included only when named', async () => {
    const res = await api.get(`/Patient/${patientId}/$everything?_type=Immunization,Encounter`);
    const bundle = res.body as Bundle;
    expect(bundle.total).toBe(29);
    expect(new Set(entries(bundle).map((e) => e.resource.resourceType))).toEqual(new Set(['Encounter', 'Immunization']));
    const withPractitioners = (await api.get(`/Patient/${patientId}/$everything?_type=Encounter,Practitioner`)).body as Bundle;
    expect(withPractitioners.total).toBe(7);
    expect(entries(withPractitioners).filter((e) => e.search.mode === 'include').map((e) => e.resource.resourceType)).toContain('Practitioner');
    expect(matches(withPractitioners).every((k) => k.startsWith('Encounter/'))).toBe(true);
  });

  it('_since keeps what changed at or after that instant', async () => {
    const before = (await api.get(`/Immunization?patient=${patientId}&_count=1`)).body as Bundle;
    const immunization = before.entry![0]!.resource as Immunization & { id: string };
    await new Promise((r) => setTimeout(r, 5));
    const since = new Date().toISOString();
    expect((await api.put(`/Immunization/${immunization.id}`, { ...immunization, status: 'entered-in-error' })).status).toBe(200);
    const res = await api.get(`/Patient/${patientId}/$everything?_since=${encodeURIComponent(since)}`);
    expect(res.status).toBe(200);
    expect(matches(res.body)).toEqual([`Immunization/${immunization.id}`]);
    expect(res.body.total).toBe(1);
    expect(res.body.link[0].url).toContain(`_since=${encodeURIComponent(since)}`);
  });

  it('POST takes a Parameters resource (or nothing), and its next link pages with GET', async () => {
    const res = await api.post(`/Patient/${patientId}/$everything`, {
      resourceType: 'Parameters',
      parameter: [
        { name: '_count', valueInteger: 5 },
        { name: '_type', valueString: 'Immunization' },
      ],
    });
    expect(res.status).toBe(200);
    expect(matches(res.body)).toHaveLength(5);
    expect(res.body.total).toBe(22);
    const rest = await pages(res.body as Bundle);
    expect(rest.flatMap(matches)).toEqual(all.filter((k) => k.startsWith('Immunization/')));
    const empty = await api.request('POST', `/Patient/${patientId}/$everything`);
    expect(empty.status).toBe(200);
    expect(empty.body.total).toBe(59);
  });

  it('refuses parameters it does not know or cannot use (400)', async () => {
    for (const query of ['_count=0', '_count=x', '_type=Nope', '_since=yesterday', '_cursor=bm9wZQ', 'start=2020']) {
      const res = await api.get(`/Patient/${patientId}/$everything?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
    }
    for (const body of [{ resourceType: 'Patient' }, { resourceType: 'Parameters', parameter: [{ name: 'end', valueDate: '2020' }] }]) {
      expect((await api.post(`/Patient/${patientId}/$everything`, body)).status).toBe(400);
    }
  });

  it('a patient pages their own record and not another’s', async () => {
    const own = await (await FhirCaller.as(server, patientPrincipal(patientId), null)).get(`/Patient/${patientId}/$everything?_count=20`);
    expect(own.status).toBe(200);
    expect(own.body.total).toBe(59);
    const other = await (await FhirCaller.as(server, patientPrincipal('someone-else'), null)).get(`/Patient/${patientId}/$everything?_count=20`);
    expect(other.status).toBe(403);
  });

  it('is stable across pages: resources added behind the cursor or removed ahead of it shift nothing', async () => {
    const first = (await api.get(`/Patient/${patientId}/$everything?_count=7`)).body as Bundle;
    const immunizations = all.filter((k) => k.startsWith('Immunization/'));
    const removed = immunizations.at(-1)!;
    const seen = (
      await pages(first, async (page) => {
        if (page !== 3) return;
        // Pages 1-3 covered the Patient, Claims and DiagnosticReports: add one that sorts first
        // among them, and delete something not reached yet. Offsets would repeat or skip a resource.
        const report: DiagnosticReport = {
          resourceType: 'DiagnosticReport',
          id: '000-added-while-paging',
          status: 'final',
          code: { text: 'Late report' },
          subject: { reference: `Patient/${patientId}` },
        };
        expect((await api.put(`/DiagnosticReport/${report.id}`, report)).status).toBe(201);
        expect((await api.delete(`/${removed}`)).status).toBe(200);
      })
    ).flatMap(matches);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(all.filter((k) => k !== removed));
  });
});
