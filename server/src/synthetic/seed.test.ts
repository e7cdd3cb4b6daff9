import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../platform/db/index.js';
import { ResourceStore } from '../fhir/index.js';
import { startTestServer } from '../testing/server.js';
import { seedSyntheticData } from './index.js';

const NOW = '2026-11-28';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function tempDatabase(): Promise<DatabaseHandle> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-seed-'));
  const db = await openDatabase(path.join(dir, 'seed.db'));
  cleanups.push(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return db;
}

const count = (db: DatabaseHandle, type: string) =>
  (db.sqlite.prepare('SELECT COUNT(*) AS n FROM resources WHERE resource_type = ?').get(type) as { n: number }).n;

const mrns = (db: DatabaseHandle) =>
  (
    db.sqlite
      .prepare("SELECT code FROM search_token WHERE resource_type = 'Patient' AND param = 'identifier' AND system = 'urn:carebridge:mrn' ORDER BY code")
      .all() as Array<{ code: string }>
  ).map((r) => r.code);

/** References (Type/id) in the database that do not resolve. */
function danglingReferences(db: DatabaseHandle): string[] {
  return (
    db.sqlite
      .prepare(
        `SELECT DISTINCT r.target_type || '/' || r.target_id AS ref FROM search_reference r
         LEFT JOIN resources t ON t.resource_type = r.target_type AND t.id = r.target_id
         WHERE t.id IS NULL`,
      )
      .all() as Array<{ ref: string }>
  ).map((r) => r.ref);
}

describe('seedSyntheticData', () => {
  it('seeds 500 patients into an empty server database within seconds, and the server counts them', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close());
    const started = Date.now();
    const progress: number[] = [];
    const summary = await seedSyntheticData(server.context.database, {
      patients: 500,
      seed: 42,
      onProgress: (done, total) => {
        expect(total).toBe(500);
        progress.push(done);
      },
    });
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeLessThan(20); // a few seconds on a developer machine; generous for busy CI
    expect(summary).toMatchObject({ patients: 500, firstPatientNumber: 1, lastPatientNumber: 500, clinicCreated: true, interrupted: false });
    expect(summary.resources).toBeGreaterThan(500 * 20);
    expect(progress.at(-1)).toBe(500);
    // Default `now` is today: the slots are in the future.
    const firstSlot = server.context.database.sqlite
      .prepare("SELECT MIN(start) AS start FROM search_date WHERE resource_type = 'Slot' AND param = 'start'")
      .get() as { start: string };
    expect(Date.parse(firstSlot.start)).toBeGreaterThan(Date.now() - 86_400_000);

    const health = (await (await fetch(`${server.url}/api/health`)).json()) as { database: { patients: number } };
    expect(health.database.patients).toBe(500);
    expect(danglingReferences(server.context.database)).toEqual([]);
  });

  it('gives byte-identical databases for the same seed and day', async () => {
    const a = await tempDatabase();
    const b = await tempDatabase();
    await seedSyntheticData(a, { patients: 40, seed: 9, now: NOW });
    await seedSyntheticData(b, { patients: 40, seed: 9, now: NOW });
    const dump = (db: DatabaseHandle) =>
      db.sqlite.prepare('SELECT resource_type, id, last_updated, patient_id, content FROM resources ORDER BY resource_type, id').all();
    expect(dump(a)).toEqual(dump(b));
    const c = await tempDatabase();
    await seedSyntheticData(c, { patients: 40, seed: 10, now: NOW });
    expect(dump(c)).not.toEqual(dump(a));
  });

  it('appends: numbering continues, the clinic is reused and every reference still resolves', async () => {
    const db = await tempDatabase();
    await seedSyntheticData(db, { patients: 30, seed: 1, now: NOW });
    const practitioners = count(db, 'Practitioner');
    const slots = count(db, 'Slot');
    const summary = await seedSyntheticData(db, { patients: 20, seed: 2, now: '2026-12-05', lean: true });
    expect(summary).toMatchObject({ patients: 20, firstPatientNumber: 31, lastPatientNumber: 50, clinicCreated: false });
    expect(count(db, 'Patient')).toBe(50);
    expect(count(db, 'Practitioner')).toBe(practitioners);
    expect(count(db, 'Slot')).toBe(slots);
    expect(mrns(db)).toEqual(Array.from({ length: 50 }, (_, i) => `CB${String(i + 1).padStart(7, '0')}`));
    expect(danglingReferences(db)).toEqual([]);
  });

  it('stops after the current batch when aborted, leaving a consistent database', async () => {
    const db = await tempDatabase();
    const abort = new AbortController();
    const summary = await seedSyntheticData(db, {
      patients: 200,
      seed: 3,
      now: NOW,
      batchSize: 25,
      signal: abort.signal,
      onProgress: (done) => {
        if (done >= 50) abort.abort();
      },
    });
    expect(summary).toMatchObject({ patients: 50, interrupted: true });
    expect(count(db, 'Patient')).toBe(50);
    expect(count(db, 'Slot')).toBeGreaterThan(1000);
    expect(danglingReferences(db)).toEqual([]);
    const store = new ResourceStore(db.sqlite);
    const appointment = db.sqlite.prepare("SELECT id FROM resources WHERE resource_type = 'Appointment' LIMIT 1").get() as { id: string };
    expect(store.read('Appointment', appointment.id)?.resource).toMatchObject({ status: 'booked' });
  });

  it('rejects nonsense options before touching the database', async () => {
    const db = await tempDatabase();
    await expect(seedSyntheticData(db, { patients: -1, seed: 1 })).rejects.toThrow(/patients/);
    await expect(seedSyntheticData(db, { patients: 1.5, seed: 1 })).rejects.toThrow(/patients/);
    await expect(seedSyntheticData(db, { patients: 1, seed: 1, now: '2026-02-30' })).rejects.toThrow(/calendar date/);
    await expect(seedSyntheticData(db, { patients: 1, seed: 1, now: "2026-01-01'; DROP TABLE resources; --" })).rejects.toThrow(/YYYY-MM-DD/);
    expect(count(db, 'Patient')).toBe(0);
    expect(count(db, 'Practitioner')).toBe(0);
  });
});
