import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Resource } from '@medplum/fhirtypes';
import { openDatabase, type DatabaseHandle } from '../platform/db/index.js';
import { ResourceStore } from './store.js';
import { BulkLoader, rebuildDroppedIndexes } from './bulk-load.js';
import { SyntheticGenerator, parseDay } from '../synthetic/index.js';

const LAST_UPDATED = '2026-11-28T00:00:00.000Z';
const SEARCH_TABLES = ['search_token', 'search_string', 'search_reference', 'search_date'] as const;

const opened: Array<{ db: DatabaseHandle; dir: string }> = [];
async function tempDatabase(): Promise<DatabaseHandle> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-bulk-'));
  const db = await openDatabase(path.join(dir, 'test.db'));
  opened.push({ db, dir });
  return db;
}
afterEach(async () => {
  for (const { db, dir } of opened.splice(0)) {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Clinic, a few full patients and some slots: every resource type the seeder writes. */
function sampleResources(): Array<Resource & { id: string }> {
  const generator = new SyntheticGenerator({ seed: 7, nowDay: parseDay('2026-11-28'), lean: false, withSlots: true });
  const resources = [...generator.clinicResources];
  for (let n = 1; n <= 12; n++) resources.push(...generator.patient(n));
  resources.push(...generator.slotResources().slice(0, 200));
  return resources as Array<Resource & { id: string }>;
}

function dump(db: DatabaseHandle): Record<'resources' | 'history' | (typeof SEARCH_TABLES)[number], unknown[]> {
  const all = (sql: string) => db.sqlite.prepare(sql).all();
  return {
    resources: all('SELECT resource_type, id, version_id, last_updated, deleted, patient_id, content FROM resources ORDER BY resource_type, id'),
    history: all('SELECT resource_type, id, version_id, last_updated, deleted, content FROM resource_history ORDER BY resource_type, id'),
    search_token: all('SELECT * FROM search_token ORDER BY 1, 2, 3, 4, 5'),
    search_string: all('SELECT * FROM search_string ORDER BY 1, 2, 3, 4'),
    search_reference: all('SELECT * FROM search_reference ORDER BY 1, 2, 3, 4, 5'),
    search_date: all('SELECT * FROM search_date ORDER BY 1, 2, 3, 4, 5'),
  };
}

function schema(db: DatabaseHandle) {
  return db.sqlite.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{
    type: string;
    name: string;
    tbl_name: string;
    sql: string;
  }>;
}

describe('BulkLoader', () => {
  it('writes exactly the rows ResourceStore.writeVersion writes, index rows included', async () => {
    const resources = sampleResources();
    expect(new Set(resources.map((r) => r.resourceType)).size).toBeGreaterThanOrEqual(20);

    const viaStore = await tempDatabase();
    const store = new ResourceStore(viaStore.sqlite);
    for (const r of resources) store.create(r, { now: LAST_UPDATED });

    const viaLoader = await tempDatabase();
    const loader = new BulkLoader(viaLoader.sqlite, { lastUpdated: LAST_UPDATED });
    loader.transaction(() => {
      for (const r of resources) loader.add(r);
    });
    loader.close();

    const expected = dump(viaStore);
    const actual = dump(viaLoader);
    expect(actual.resources.length).toBe(resources.length);
    for (const table of SEARCH_TABLES) expect(actual[table].length, table).toBeGreaterThan(0);
    expect(actual).toEqual(expected);
    expect(loader.written).toBe(resources.length);
    expect(loader.writtenByType().Patient).toBe(12);
  });

  it('loads resources that read back at version 1 and are found through the search tables', async () => {
    const db = await tempDatabase();
    const resources = sampleResources();
    const loader = new BulkLoader(db.sqlite, { lastUpdated: LAST_UPDATED, dropIndexes: true });
    loader.transaction(() => resources.forEach((r) => loader.add(r)));
    loader.close();

    const patient = resources.find((r) => r.resourceType === 'Patient')!;
    const stored = new ResourceStore(db.sqlite).read('Patient', patient.id);
    expect(stored).toMatchObject({ versionId: 1, lastUpdated: LAST_UPDATED, deleted: false });
    expect(stored!.resource.meta).toEqual({ versionId: '1', lastUpdated: LAST_UPDATED });
    const found = db.sqlite
      .prepare("SELECT resource_id FROM search_token WHERE resource_type = 'Patient' AND param = 'identifier' AND system = ? AND code = ?")
      .all('urn:carebridge:mrn', 'CB0000001');
    expect(found).toEqual([{ resource_id: patient.id }]);
    const compartment = new ResourceStore(db.sqlite).compartment(patient.id);
    expect(compartment.length).toBe(resources.filter((r) => JSON.stringify(r).includes(`"Patient/${patient.id}"`) || r.id === patient.id).length);
  });

  it('drops and rebuilds the secondary indexes and restores the pragmas', async () => {
    const db = await tempDatabase();
    const before = schema(db);
    const pragmas = () => ({ synchronous: db.sqlite.pragma('synchronous', { simple: true }), cache: db.sqlite.pragma('cache_size', { simple: true }) });
    const settings = pragmas();
    const phases: string[] = [];
    const loader = new BulkLoader(db.sqlite, { dropIndexes: true, onPhase: (m) => phases.push(m) });
    const during = schema(db).filter((o) => o.type === 'index');
    expect(during.length).toBeLessThan(before.filter((o) => o.type === 'index').length);
    expect(pragmas()).toEqual({ synchronous: 0, cache: -262144 });
    loader.transaction(() => sampleResources().forEach((r) => loader.add(r)));
    loader.close();
    loader.close();
    expect(schema(db)).toEqual(before);
    expect(pragmas()).toEqual(settings);
    expect(phases[0]).toMatch(/^dropping \d+ search and resource indexes/);
    expect(phases.some((m) => m.startsWith('rebuilding index'))).toBe(true);
    expect(db.sqlite.prepare("SELECT COUNT(*) AS n FROM meta WHERE key LIKE 'bulk_load.%'").get()).toEqual({ n: 0 });
  });

  it('repairs indexes an interrupted load left dropped', async () => {
    const db = await tempDatabase();
    const before = schema(db);
    const loader = new BulkLoader(db.sqlite, { dropIndexes: true, fastWrites: false });
    loader.transaction(() => sampleResources().slice(0, 50).forEach((r) => loader.add(r)));
    // The process dies here: close() never runs.
    expect(schema(db)).not.toEqual(before);
    expect(rebuildDroppedIndexes(db.sqlite)).toBeGreaterThan(0);
    expect(schema(db)).toEqual(before);
    expect(rebuildDroppedIndexes(db.sqlite)).toBe(0);
  });

  it('rolls back the whole batch when a resource already exists, and stays usable', async () => {
    const db = await tempDatabase();
    const [first, second, third] = sampleResources();
    const loader = new BulkLoader(db.sqlite, { lastUpdated: LAST_UPDATED });
    loader.transaction(() => loader.add(first!));
    expect(() => loader.transaction(() => [second!, first!].forEach((r) => loader.add(r)))).toThrow(/UNIQUE|constraint/i);
    const count = (table: string) => (db.sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(count('resources')).toBe(1);
    expect(count('resource_history')).toBe(1);
    const tokensOfFirst = count('search_token');
    loader.transaction(() => loader.add(third!));
    expect(count('resources')).toBe(2);
    expect(count('search_token')).toBeGreaterThanOrEqual(tokensOfFirst);
    expect(new ResourceStore(db.sqlite).read(second!.resourceType, second!.id)).toBeUndefined();
    loader.close();
  });

  it('refuses writes outside a transaction or after close', async () => {
    const db = await tempDatabase();
    const [resource] = sampleResources();
    const loader = new BulkLoader(db.sqlite);
    expect(() => loader.add(resource!)).toThrow(/inside BulkLoader.transaction/);
    loader.close();
    expect(() => loader.transaction(() => loader.add(resource!))).toThrow(/closed/);
  });
});
