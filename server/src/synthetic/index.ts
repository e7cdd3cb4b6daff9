/**
 * Deterministic synthetic patients and clinic data, written with the bulk loader. Same seed and
 * same `now` → byte-identical resources. See README.md for what is generated.
 */
import type SQLite from 'better-sqlite3';
import type { DatabaseHandle } from '../platform/db/index.js';
import { BulkLoader, rebuildDroppedIndexes } from '../fhir/index.js';
import { MRN_SYSTEM } from './codes.js';
import { parseDay, utcDay } from './dates.js';
import { SyntheticGenerator } from './generator.js';

export { MRN_SYSTEM, PRACTITIONER_NUMBER_SYSTEM, VISIT_MODE } from './codes.js';
export { mrnFor } from './demographics.js';
export { SyntheticGenerator } from './generator.js';
export { parseDay } from './dates.js';

export interface SeedOptions {
  patients: number;
  seed: number;
  /** Demographics, conditions and the observations and procedures care gaps depend on. */
  lean?: boolean;
  /** Called after every batch with patients done so far and the total of this run. */
  onProgress?: (done: number, total: number) => void;
  /** Reference day (`YYYY-MM-DD` or a Date); default today at 00:00 UTC. Slots start the day after. */
  now?: string | Date;
  /** Patients per transaction (default 1,000). */
  batchSize?: number;
  /**
   * Drop the secondary indexes of the resource and search tables during the load and rebuild
   * them after (faster whenever the load is at least as big as what is there). 'auto' (default):
   * when loading at least 200 patients and at least as many as the database already holds.
   */
  dropIndexes?: boolean | 'auto';
  /** synchronous=OFF and a bigger cache while loading (default true); restored afterwards. */
  fastWrites?: boolean;
  /** Messages about long steps (index drop/rebuild). */
  onPhase?: (message: string) => void;
  /** Stops after the current batch; what was written stays consistent (slots included). */
  signal?: AbortSignal;
}

export interface SeedSummary {
  /** Patients written (fewer than asked when interrupted). */
  patients: number;
  resources: number;
  /** Patient numbers (MRN CB + 7 digits) of this run: first..last. */
  firstPatientNumber: number;
  lastPatientNumber: number;
  resourcesByType: Record<string, number>;
  /** False when the clinic network already existed (an append run). */
  clinicCreated: boolean;
  indexesDropped: boolean;
  /** The reference day used, YYYY-MM-DD. */
  now: string;
  seconds: number;
  /** True when `signal` stopped the run early. */
  interrupted: boolean;
}

const CLINIC_META_KEY = 'synthetic.clinic';
const AUTO_DROP_INDEXES_AT = 200;

/**
 * Seeds `patients` synthetic patients (and, the first time, the clinic network). On a database
 * that already has synthetic patients it appends: numbering continues after the highest MRN and
 * the clinic of the first run is reused (no new slots or appointments are added then).
 */
export async function seedSyntheticData(database: DatabaseHandle, options: SeedOptions): Promise<SeedSummary> {
  if (!Number.isInteger(options.patients) || options.patients < 0) throw new Error('patients must be a non-negative integer');
  if (!Number.isSafeInteger(options.seed)) throw new Error('seed must be an integer');
  const started = performance.now();
  const sqlite = database.sqlite;
  const onPhase = options.onPhase ?? (() => {});
  const repaired = rebuildDroppedIndexes(sqlite, onPhase);
  if (repaired > 0) onPhase(`rebuilt ${repaired} indexes left dropped by an interrupted load`);

  const nowDay = options.now === undefined ? utcDay(Date.now()) : parseDay(options.now);
  const lean = options.lean ?? false;
  const existingClinic = readClinicMeta(sqlite);
  const first = nextPatientNumber(sqlite);
  const generator = new SyntheticGenerator({
    seed: options.seed,
    nowDay,
    lean,
    clinic: existingClinic ?? { seed: options.seed, nowDay },
    withSlots: !existingClinic,
  });

  const existingPatients = (sqlite.prepare("SELECT COUNT(*) AS n FROM resources WHERE resource_type = 'Patient'").get() as { n: number }).n;
  const dropIndexes =
    options.dropIndexes === 'auto' || options.dropIndexes === undefined
      ? options.patients >= AUTO_DROP_INDEXES_AT && options.patients >= existingPatients
      : options.dropIndexes;
  const loader = new BulkLoader(sqlite, {
    lastUpdated: new Date(nowDay).toISOString(),
    fastWrites: options.fastWrites ?? true,
    dropIndexes,
    onPhase,
  });
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 1000));
  let done = 0;
  try {
    if (!existingClinic) {
      loader.transaction(() => {
        for (const resource of generator.clinicResources) loader.add(resource as typeof resource & { id: string });
        sqlite
          .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
          .run(CLINIC_META_KEY, JSON.stringify({ seed: options.seed, now: new Date(nowDay).toISOString().slice(0, 10) }));
      });
    }
    while (done < options.patients && !options.signal?.aborted) {
      const end = Math.min(options.patients, done + batchSize);
      const from = done;
      loader.transaction(() => {
        for (let i = from; i < end; i++) {
          for (const resource of generator.patient(first + i)) loader.add(resource as typeof resource & { id: string });
        }
      });
      done = end;
      options.onProgress?.(done, options.patients);
      // Let timers (progress bars, health checks) run between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const slots = generator.slotResources();
    if (slots.length > 0) loader.transaction(() => slots.forEach((slot) => loader.add(slot as typeof slot & { id: string })));
  } finally {
    loader.close();
  }
  return {
    patients: done,
    resources: loader.written,
    firstPatientNumber: first,
    lastPatientNumber: first + done - 1,
    resourcesByType: loader.writtenByType(),
    clinicCreated: !existingClinic,
    indexesDropped: dropIndexes,
    now: new Date(nowDay).toISOString().slice(0, 10),
    seconds: (performance.now() - started) / 1000,
    interrupted: done < options.patients,
  };
}

function readClinicMeta(sqlite: SQLite.Database): { seed: number; nowDay: number } | undefined {
  const row = sqlite.prepare('SELECT value FROM meta WHERE key = ?').get(CLINIC_META_KEY) as { value: string } | undefined;
  if (!row) return undefined;
  const parsed = JSON.parse(row.value) as { seed?: unknown; now?: unknown };
  if (typeof parsed.seed !== 'number' || typeof parsed.now !== 'string') return undefined;
  return { seed: parsed.seed, nowDay: parseDay(parsed.now) };
}

/** One past the highest synthetic MRN in the database (1 when there is none). */
function nextPatientNumber(sqlite: SQLite.Database): number {
  const row = sqlite
    .prepare(
      "SELECT MAX(CAST(SUBSTR(code, 3) AS INTEGER)) AS n FROM search_token WHERE resource_type = 'Patient' AND param = 'identifier' AND system = ? AND code LIKE 'CB%'",
    )
    .get(MRN_SYSTEM) as { n: number | null };
  return (row.n ?? 0) + 1;
}

/** Forgets the clinic network record (used by `--reset`, which wipes the resource tables). */
export function forgetSyntheticClinic(sqlite: SQLite.Database): void {
  sqlite.prepare('DELETE FROM meta WHERE key = ?').run(CLINIC_META_KEY);
}
