import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Encounter, Observation, Patient } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../testing/server.js';
import { FhirCaller, admin, countRows } from './test-support.js';

/**
 * Search over a small, hand-made data set whose expected answers are easy to check by eye:
 * four patients, five observations (instants, a period, a bare date), one open encounter.
 */
describe('FHIR search', () => {
  let server: TestServer;
  let fhir: FhirCaller;
  const p: Record<'mueller' | 'mullins' | 'smith' | 'obrien', Patient & { id: string }> = {} as never;
  const o: Record<'o1' | 'o2' | 'o3' | 'o4' | 'o5', Observation & { id: string }> = {} as never;
  let encounter: Encounter & { id: string };
  let startedAt: string;

  const loinc = (code: string) => ({ coding: [{ system: 'http://loinc.org', code }] });
  const ids = (bundle: Bundle): string[] => (bundle.entry ?? []).map((e) => e.resource!.id!);
  const find = async (query: string) => {
    const res = await fhir.get(query);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Bundle;
  };
  const names = (...keys: Array<keyof typeof o>) => keys.map((k) => o[k].id).sort();
  const found = async (query: string) => ids(await find(query)).sort();

  beforeAll(async () => {
    server = await startTestServer();
    fhir = await FhirCaller.as(server, admin);
    startedAt = new Date(Date.now() - 1000).toISOString();
    p.mueller = await fhir.create<Patient>({
      resourceType: 'Patient',
      name: [{ family: 'Müller', given: ['José'] }],
      birthDate: '1970-05-15',
      gender: 'male',
      identifier: [{ system: 'urn:mrn', value: 'A1' }],
      address: [{ city: 'Springfield' }],
    });
    p.mullins = await fhir.create<Patient>({ resourceType: 'Patient', name: [{ family: 'Mullins', given: ['Anna'] }], birthDate: '1985-01-30', gender: 'female' });
    p.smith = await fhir.create<Patient>({ resourceType: 'Patient', name: [{ family: 'Smith', given: ['John', 'Paul'] }], birthDate: '2001', gender: 'male' });
    p.obrien = await fhir.create<Patient>({ resourceType: 'Patient', name: [{ family: "O'Brien", given: ['Liam'] }] });
    const obs = (subject: string, extra: Partial<Observation>): Observation => ({
      resourceType: 'Observation',
      status: 'final',
      code: loinc('8302-2'),
      subject: { reference: `Patient/${subject}` },
      ...extra,
    });
    o.o1 = await fhir.create(obs(p.mueller.id, { effectiveDateTime: '2020-01-15T10:00:00Z' }));
    o.o2 = await fhir.create(obs(p.mueller.id, { code: loinc('85354-9'), effectivePeriod: { start: '2020-02-01', end: '2020-02-10' } }));
    o.o3 = await fhir.create(obs(p.mueller.id, { status: 'amended', code: { coding: [{ system: 'http://snomed.info/sct', code: '8302-2' }] }, effectiveDateTime: '2020-03-01' }));
    o.o4 = await fhir.create(obs(p.mullins.id, { status: 'preliminary', effectiveDateTime: '2019-12-31T23:00:00Z' }));
    o.o5 = await fhir.create(obs(p.mullins.id, { code: { coding: [{ code: 'local-1' }] }, effectiveDateTime: '2021-06-01T08:00:00+02:00' }));
    encounter = await fhir.create<Encounter>({
      resourceType: 'Encounter',
      status: 'in-progress',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
      subject: { reference: `Patient/${p.mueller.id}` },
      period: { start: '2020-01-01' },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('returns a searchset with total, self link, fullUrls and search mode', async () => {
    const bundle = await find(`/Observation?patient=${p.mueller.id}`);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 3 });
    expect(bundle.link).toEqual([{ relation: 'self', url: `${fhir.base}/Observation?patient=${p.mueller.id}&_count=20` }]);
    for (const entry of bundle.entry!) {
      expect(entry.fullUrl).toBe(`${fhir.base}/Observation/${entry.resource!.id}`);
      expect(entry.search).toEqual({ mode: 'match' });
    }
  });

  describe('token', () => {
    it.each<[string, Array<keyof typeof o>]>([
      ['code=8302-2', ['o1', 'o3', 'o4']],
      ['code=http://loinc.org|8302-2', ['o1', 'o4']],
      ['code=|local-1', ['o5']],
      ['code=http://snomed.info/sct|', ['o3']],
      ['code:not=8302-2', ['o2', 'o5']],
      ['status=final,amended', ['o1', 'o2', 'o3', 'o5']],
      ['code=8302-2&status=final', ['o1']],
      ['code=http://loinc.org|8302-2,|local-1', ['o1', 'o4', 'o5']],
    ])('%s', async (query, expected) => {
      expect(await found(`/Observation?${query}`)).toEqual(names(...expected));
    });

    it('matches identifiers by system|value', async () => {
      expect(await found('/Patient?identifier=urn:mrn|A1')).toEqual([p.mueller.id]);
      expect(await found('/Patient?identifier=other|A1')).toEqual([]);
    });
  });

  describe('string', () => {
    it.each<[string, Array<keyof typeof p>]>([
      ['family=mul', ['mueller', 'mullins']],
      ['family=MÜL', ['mueller', 'mullins']],
      ['family:exact=Müller', ['mueller']],
      ['family:exact=müller', []],
      ['name:contains=ulli', ['mullins']],
      ['given=jo', ['mueller', 'smith']],
      ['name=paul', ['smith']],
      ["family=o'b", ['obrien']],
      ['address-city=spring', ['mueller']],
      ['name=smith,mullins', ['mullins', 'smith']],
    ])('%s', async (query, expected) => {
      expect(await found(`/Patient?${query}`)).toEqual(expected.map((k) => p[k].id).sort());
    });
  });

  describe('reference', () => {
    it('accepts an id, Type/id, an absolute URL and the :Type modifier', async () => {
      const expected = names('o1', 'o2', 'o3');
      expect(await found(`/Observation?patient=${p.mueller.id}`)).toEqual(expected);
      expect(await found(`/Observation?subject=Patient/${p.mueller.id}`)).toEqual(expected);
      expect(await found(`/Observation?subject=${encodeURIComponent(`${fhir.base}/Patient/${p.mueller.id}`)}`)).toEqual(expected);
      expect(await found(`/Observation?subject:Patient=${p.mueller.id}`)).toEqual(expected);
      expect(await found(`/Observation?patient=${p.mueller.id},${p.mullins.id}`)).toEqual(names('o1', 'o2', 'o3', 'o4', 'o5'));
      expect(await found(`/Observation?patient=${p.mueller.id}&code=http://loinc.org|8302-2`)).toEqual(names('o1'));
    });
  });

  describe('date', () => {
    it.each<[string, Array<keyof typeof o>]>([
      ['date=2020-01-15', ['o1']],
      ['date=2020-02', ['o2']],
      ['date=2020', ['o1', 'o2', 'o3']],
      ['date=eq2020', ['o1', 'o2', 'o3']],
      ['date=ne2020', ['o4', 'o5']],
      ['date=ge2020-02-05', ['o2', 'o3', 'o5']],
      ['date=gt2020-03-01', ['o5']],
      ['date=lt2020-01-01', ['o4']],
      ['date=le2020-01-15', ['o1', 'o4']],
      ['date=sa2020-01-31', ['o2', 'o3', 'o5']],
      ['date=eb2020-02-05', ['o1', 'o4']],
      // ap widens by 10% of the distance from now: years ago, that is months.
      ['date=ap2020-01-15', ['o1', 'o2', 'o3', 'o4']],
      ['date=ge2020-01-01&date=lt2020-03-01', ['o1', 'o2']],
      ['date=2019,2021', ['o4', 'o5']],
      ['date=2021-06-01T06:00:00Z', ['o5']],
    ])('%s', async (query, expected) => {
      expect(await found(`/Observation?${query}`)).toEqual(names(...expected));
    });

    it('treats an open-ended period as reaching into the future', async () => {
      expect(await found('/Encounter?date=ge2030-01-01')).toEqual([encounter.id]);
      expect(await found('/Encounter?date=2030')).toEqual([]);
      expect(await found('/Encounter?date=lt2019')).toEqual([]);
    });

    it('searches partial birth dates by range', async () => {
      expect(await found('/Patient?birthdate=2001')).toEqual([p.smith.id]);
      expect(await found('/Patient?birthdate=2001-06-01')).toEqual([]);
      expect(await found('/Patient?birthdate=lt1980')).toEqual([p.mueller.id]);
    });
  });

  describe('common parameters and modifiers', () => {
    it('_id and _lastUpdated', async () => {
      expect(await found(`/Observation?_id=${o.o1.id},${o.o2.id}`)).toEqual(names('o1', 'o2'));
      expect(await found(`/Observation?_lastUpdated=ge${startedAt}`)).toEqual(names('o1', 'o2', 'o3', 'o4', 'o5'));
      expect(await found('/Observation?_lastUpdated=lt2000')).toEqual([]);
    });

    it(':missing', async () => {
      expect(await found('/Patient?birthdate:missing=true')).toEqual([p.obrien.id]);
      expect(await found('/Patient?birthdate:missing=false')).toEqual([p.mueller.id, p.mullins.id, p.smith.id].sort());
    });
  });

  describe('paging', () => {
    it('pages with _count, total and next/previous links to the end', async () => {
      const seen: string[] = [];
      let bundle = await find('/Observation?status=final,amended,preliminary&_count=2');
      expect(bundle.total).toBe(5);
      expect(bundle.link!.map((l) => l.relation)).toEqual(['self', 'next']);
      seen.push(...ids(bundle));
      let pages = 1;
      while (bundle.link!.some((l) => l.relation === 'next')) {
        const next = bundle.link!.find((l) => l.relation === 'next')!.url!;
        bundle = (await fetch(next, { headers: fhir.headers() }).then((r) => r.json())) as Bundle;
        expect(bundle.total).toBe(5);
        expect(bundle.link!.some((l) => l.relation === 'previous')).toBe(true);
        seen.push(...ids(bundle));
        pages++;
      }
      expect(pages).toBe(3);
      expect(seen.sort()).toEqual(names('o1', 'o2', 'o3', 'o4', 'o5'));
    });

    it('pages a search without selective clauses the same way', async () => {
      const first = await find('/Observation?_count=3');
      const second = await find('/Observation?_count=3&_offset=3');
      expect(first.total).toBe(5);
      expect(second.total).toBe(5);
      expect([...ids(first), ...ids(second)].sort()).toEqual(names('o1', 'o2', 'o3', 'o4', 'o5'));
      expect(second.link!.find((l) => l.relation === 'previous')!.url).toBe(`${fhir.base}/Observation?_count=3`);
    });

    it('_count=0 gives only the total', async () => {
      const bundle = await find(`/Observation?patient=${p.mueller.id}&_count=0`);
      expect(bundle.total).toBe(3);
      expect(bundle.entry).toBeUndefined();
      expect((await find('/Observation?_count=0')).total).toBe(5);
    });

    it('accepts _total', async () => {
      expect((await find('/Observation?_total=accurate&_count=1')).total).toBe(5);
      expect((await fhir.get('/Observation?_total=none')).status).toBe(200);
    });
  });

  describe('sorting', () => {
    it('by date ascending (earliest start) and descending (latest end)', async () => {
      expect(ids(await find('/Observation?_sort=date'))).toEqual(['o4', 'o1', 'o2', 'o3', 'o5'].map((k) => o[k as keyof typeof o].id));
      expect(ids(await find('/Observation?_sort=-date'))).toEqual(['o5', 'o3', 'o2', 'o1', 'o4'].map((k) => o[k as keyof typeof o].id));
    });

    it('by string, _lastUpdated and _id, resources without a value last', async () => {
      const byFamily = ids(await find('/Patient?_sort=family'));
      expect(byFamily).toEqual([p.mueller.id, p.mullins.id, p.obrien.id, p.smith.id]);
      const byUpdate = (await find('/Patient?_sort=-_lastUpdated')).entry!.map((e) => e.resource!.meta!.lastUpdated!);
      expect(byUpdate).toHaveLength(4);
      expect(byUpdate).toEqual([...byUpdate].sort().reverse());
      const byId = ids(await find('/Observation?_sort=-_id'));
      expect(byId).toEqual([...byId].sort().reverse());
      expect(ids(await find('/Patient?_sort=birthdate'))).toEqual([p.mueller.id, p.mullins.id, p.smith.id, p.obrien.id]);
    });

    it('refuses to sort by a token', async () => {
      const res = await fhir.get('/Observation?_sort=status');
      expect(res.status).toBe(400);
      expect(res.body.issue[0].diagnostics).toContain('status');
    });
  });

  describe('errors and safety', () => {
    it('names an unknown parameter (400), or ignores it under Prefer: handling=lenient', async () => {
      const strict = await fhir.get('/Patient?family=mul&hair=red');
      expect(strict.status).toBe(400);
      expect(strict.body.resourceType).toBe('OperationOutcome');
      expect(strict.body.issue[0].diagnostics).toContain('"hair"');
      expect(strict.body.issue[0].expression).toEqual(['hair']);
      const lenient = await fhir.get('/Patient?family=mul&hair=red', { prefer: 'handling=lenient' });
      expect(lenient.status).toBe(200);
      expect(lenient.body.total).toBe(2);
      expect(lenient.body.link[0].url).not.toContain('hair');
    });

    it.each([
      "name=' OR 1=1 --",
      "family=x'; DROP TABLE resources; --",
      'name=%25',
      'name=_',
      'name:contains=%25',
      'identifier=a|b\' OR \'1\'=\'1',
      'gender=male" OR "1"="1',
    ])('treats %s as a value: nothing matches, nothing breaks', async (query) => {
      const before = countRows(server, 'resources');
      const res = await fhir.get(`/Patient?${query.replace(/ /g, '%20').replace(/'/g, '%27').replace(/"/g, '%22').replace(/;/g, '%3B')}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(0);
      expect(countRows(server, 'resources')).toBe(before);
      expect((await fhir.get(`/Patient/${p.smith.id}`)).status).toBe(200);
    });

    it('refuses injection-shaped ids and a bad _count', async () => {
      expect((await fhir.get("/Patient?_id=1'%20OR%20'1'='1")).status).toBe(400);
      const count = await fhir.get('/Patient?_count=abc');
      expect(count.status).toBe(400);
      expect(count.body.issue[0].diagnostics).toContain('_count');
    });

    it('404s a search on an unsupported type', async () => {
      expect((await fhir.get('/Spaceship?name=x')).status).toBe(404);
    });
  });

  describe('POST _search', () => {
    it('takes form-encoded parameters, merged with the query string', async () => {
      const res = await fetch(`${fhir.base}/Observation/_search?status=final`, {
        method: 'POST',
        headers: fhir.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
        body: `patient=${p.mueller.id}&code=${encodeURIComponent('http://loinc.org|8302-2')}`,
      });
      expect(res.status).toBe(200);
      expect(ids((await res.json()) as Bundle)).toEqual([o.o1.id]);
    });

    it('refuses other content types with 415', async () => {
      const res = await fhir.post('/Observation/_search', { patient: p.mueller.id });
      expect(res.status).toBe(415);
      expect(res.body.resourceType).toBe('OperationOutcome');
    });
  });
});
