/**
 * The versioned FHIR resource store: current versions in `resources`, every version in
 * `resource_history`, and search index rows in the `search_*` tables, all written in one
 * transaction per change. Writes are synchronous on the raw connection so that a transaction
 * Bundle (many writes) is atomic; never mix these with Kysely transactions on the same connection.
 */
import { randomBytes } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import type { Resource } from '@medplum/fhirtypes';
import { inTransaction } from '../platform/db/index.js';
import { RowBuffer } from './row-buffer.js';
import { compartmentPatientId, extractIndexRows, type IndexRows } from './search-parameters.js';

export interface StoredVersion {
  resource: Resource;
  versionId: number;
  lastUpdated: string;
  deleted: boolean;
}

export interface WriteOptions {
  /** Expected current version (If-Match); a mismatch is a conflict. */
  ifMatchVersion?: number;
  /** Timestamp to record (defaults to now); seeding sets it for deterministic data. */
  now?: string;
}

export class VersionConflictError extends Error {
  constructor(
    readonly resourceType: string,
    readonly id: string,
    readonly expected: number,
    readonly actual: number | undefined,
  ) {
    super(`${resourceType}/${id} is at version ${actual ?? 'none'}, not ${expected}.`);
  }
}

type Row = { resource_type: string; id: string; version_id: number; last_updated: string; deleted: number; content: string };

/** A stored version as its JSON text, for responses that pass the text through unparsed. */
export type StoredRow = Row;
/** The current version's row, with the compartment it belongs to. */
export type CurrentRow = Row & { patient_id: string | null };

export interface DeletedVersion {
  versionId: number;
  lastUpdated: string;
  patientId: string | null;
}

/** The clock behind `newId`: the last millisecond used and the counter within it. */
const idClock = { ms: 0, seq: 0 };

/** A resource prepared for writing (see `writePlanned`). */
export interface PlannedItem {
  type: string;
  id: string;
  planned: { json: string; meta: Resource['meta'] | undefined; patientId: string | null; rows: IndexRows };
  ifMatchVersion?: number;
  /** A server-assigned id just made: no current version to look up (an existing one fails the INSERT). */
  isNew?: boolean;
}

export class ResourceStore {
  private readonly stmts;
  private buffers: Record<'resource' | 'history' | 'token' | 'string' | 'reference' | 'date', RowBuffer> | undefined;

  constructor(readonly sqlite: SQLite.Database) {
    const s = (sql: string) => sqlite.prepare(sql);
    this.stmts = {
      current: s('SELECT resource_type, id, version_id, last_updated, deleted, content FROM resources WHERE resource_type = ? AND id = ?'),
      version: s(
        'SELECT resource_type, id, version_id, last_updated, deleted, content FROM resource_history WHERE resource_type = ? AND id = ? AND version_id = ?',
      ),
      history: s(
        'SELECT resource_type, id, version_id, last_updated, deleted, content FROM resource_history WHERE resource_type = ? AND id = ? ORDER BY version_id DESC LIMIT ?',
      ),
      upsert: s(
        `INSERT INTO resources (resource_type, id, version_id, last_updated, deleted, patient_id, content)
         VALUES (@resource_type, @id, @version_id, @last_updated, @deleted, @patient_id, @content)
         ON CONFLICT (resource_type, id) DO UPDATE SET version_id = excluded.version_id,
           last_updated = excluded.last_updated, deleted = excluded.deleted,
           patient_id = excluded.patient_id, content = excluded.content`,
      ),
      insertHistory: s(
        `INSERT INTO resource_history (resource_type, id, version_id, last_updated, deleted, content)
         VALUES (@resource_type, @id, @version_id, @last_updated, @deleted, @content)`,
      ),
      deleteTokens: s('DELETE FROM search_token WHERE resource_type = ? AND resource_id = ?'),
      deleteStrings: s('DELETE FROM search_string WHERE resource_type = ? AND resource_id = ?'),
      deleteReferences: s('DELETE FROM search_reference WHERE resource_type = ? AND resource_id = ?'),
      deleteDates: s('DELETE FROM search_date WHERE resource_type = ? AND resource_id = ?'),
      insertToken: s('INSERT INTO search_token (resource_type, resource_id, param, system, code) VALUES (?, ?, ?, ?, ?)'),
      insertString: s('INSERT INTO search_string (resource_type, resource_id, param, value) VALUES (?, ?, ?, ?)'),
      insertReference: s(
        'INSERT INTO search_reference (resource_type, resource_id, param, target_type, target_id) VALUES (?, ?, ?, ?, ?)',
      ),
      insertDate: s('INSERT INTO search_date (resource_type, resource_id, param, start, "end") VALUES (?, ?, ?, ?, ?)'),
      compartment: s(
        'SELECT resource_type, id, version_id, last_updated, deleted, content FROM resources WHERE patient_id = ? AND deleted = 0 ORDER BY resource_type, id',
      ),
      currentRow: s(
        'SELECT resource_type, id, version_id, last_updated, deleted, patient_id, content FROM resources WHERE resource_type = ? AND id = ?',
      ),
      exists: s('SELECT 1 AS found FROM resources WHERE resource_type = ? AND id = ? AND deleted = 0'),
    };
  }

  /**
   * A new resource id: a UUID version 7 (RFC 9562), the time in milliseconds then random bits, with
   * a counter within one millisecond. Ids created later sort later, so a Bundle's new resources are
   * appended to the primary-key and search indexes rather than scattered over them (about half
   * the cost of writing a large import).
   */
  static newId(): string {
    let ms = Date.now();
    if (ms > idClock.ms) {
      idClock.ms = ms;
      idClock.seq = randomBytes(2).readUInt16BE() & 0x7ff;
    } else {
      ms = idClock.ms;
      if (++idClock.seq > 0xfff) {
        ms = ++idClock.ms;
        idClock.seq = 0;
      }
    }
    const random = randomBytes(8);
    const time = ms.toString(16).padStart(12, '0');
    const variant = ((random[0]! & 0x3f) | 0x80).toString(16).padStart(2, '0') + random.subarray(1, 2).toString('hex');
    return `${time.slice(0, 8)}-${time.slice(8)}-7${idClock.seq.toString(16).padStart(3, '0')}-${variant}-${random.subarray(2).toString('hex')}`;
  }

  read(type: string, id: string): StoredVersion | undefined {
    const row = this.stmts.current.get(type, id) as Row | undefined;
    return row ? toStored(row) : undefined;
  }

  vread(type: string, id: string, versionId: number): StoredVersion | undefined {
    const row = this.stmts.version.get(type, id, versionId) as Row | undefined;
    return row ? toStored(row) : undefined;
  }

  /** Versions of one resource, newest first. */
  history(type: string, id: string, limit = 100): StoredVersion[] {
    return (this.stmts.history.all(type, id, limit) as Row[]).map(toStored);
  }

  /** Every live resource in a patient's compartment (the Patient itself included). */
  compartment(patientId: string): Resource[] {
    return (this.stmts.compartment.all(patientId) as Row[]).map((r) => JSON.parse(r.content) as Resource);
  }

  /** The current version as stored (JSON text unparsed), deleted or not. */
  readRow(type: string, id: string): CurrentRow | undefined {
    return this.stmts.currentRow.get(type, id) as CurrentRow | undefined;
  }

  vreadRow(type: string, id: string, versionId: number): StoredRow | undefined {
    return this.stmts.version.get(type, id, versionId) as StoredRow | undefined;
  }

  /** Versions of one resource as stored, newest first. */
  historyRows(type: string, id: string, limit = 100): StoredRow[] {
    return this.stmts.history.all(type, id, limit) as StoredRow[];
  }

  /** True when the resource exists and is not deleted. */
  exists(type: string, id: string): boolean {
    return this.stmts.exists.get(type, id) !== undefined;
  }

  /** Creates a resource with a new id (or the id it carries, for imports and seeding). */
  create<T extends Resource>(resource: T, options: WriteOptions = {}): T {
    return inTransaction(this.sqlite, () => this.writeVersion({ ...resource, id: resource.id ?? ResourceStore.newId() }, options));
  }

  /** Creates or replaces the resource with this id (FHIR update, which may create). */
  update<T extends Resource>(resource: T & { id: string }, options: WriteOptions = {}): T {
    return inTransaction(this.sqlite, () => this.writeVersion(resource, options));
  }

  /** Marks the resource deleted (a new version); returns false when it did not exist. */
  delete(type: string, id: string, options: WriteOptions = {}): boolean {
    return inTransaction(this.sqlite, () => this.deleteVersion(type, id, options) !== undefined);
  }

  /**
   * Writes a deletion version inside the caller's transaction; undefined when there was nothing
   * live to delete. If-Match applies as for updates.
   */
  deleteVersion(type: string, id: string, options: WriteOptions = {}): DeletedVersion | undefined {
    const current = this.stmts.currentRow.get(type, id) as CurrentRow | undefined;
    if (options.ifMatchVersion !== undefined && current?.version_id !== options.ifMatchVersion) {
      throw new VersionConflictError(type, id, options.ifMatchVersion, current?.version_id);
    }
    if (!current || current.deleted) return undefined;
    const now = options.now ?? new Date().toISOString();
    const versionId = current.version_id + 1;
    const tombstone = { resourceType: type, id, meta: { versionId: String(versionId), lastUpdated: now } };
    const row = { resource_type: type, id, version_id: versionId, last_updated: now, deleted: 1, content: JSON.stringify(tombstone) };
    // The tombstone stays in the compartment it was in, so access checks on its history still work.
    this.stmts.upsert.run({ ...row, patient_id: current.patient_id });
    this.stmts.insertHistory.run(row);
    this.clearIndex(type, id);
    return { versionId, lastUpdated: now, patientId: current.patient_id };
  }

  /**
   * Writes the next version of a resource inside the caller's transaction. Use through
   * `create`/`update`, or directly inside `inTransaction` to write many resources atomically.
   */
  writeVersion<T extends Resource>(resource: T & { id: string }, options: WriteOptions = {}): T {
    const type = resource.resourceType;
    const current = this.stmts.current.get(type, resource.id) as Row | undefined;
    if (options.ifMatchVersion !== undefined && current?.version_id !== options.ifMatchVersion) {
      throw new VersionConflictError(type, resource.id, options.ifMatchVersion, current?.version_id);
    }
    const versionId = (current?.version_id ?? 0) + 1;
    const lastUpdated = options.now ?? new Date().toISOString();
    const stored = {
      ...resource,
      meta: { ...resource.meta, versionId: String(versionId), lastUpdated },
    } as T;
    const content = JSON.stringify(stored);
    const row = { resource_type: type, id: resource.id, version_id: versionId, last_updated: lastUpdated, deleted: 0, content };
    this.stmts.upsert.run({ ...row, patient_id: compartmentPatientId(stored) });
    this.stmts.insertHistory.run(row);
    if (current) this.clearIndex(type, resource.id);
    this.index(stored as Resource & { id: string });
    return stored;
  }

  /**
   * Writes the next version of a resource prepared elsewhere (a Bundle plan): its JSON without meta,
   * its compartment and its index rows are given, so the caller's transaction only runs the SQL.
   */
  writePlanned(
    type: string,
    id: string,
    planned: { json: string; meta: Resource['meta'] | undefined; patientId: string | null; rows: IndexRows },
    options: WriteOptions = {},
  ): { versionId: number; lastUpdated: string; existed: boolean } {
    const current = this.stmts.current.get(type, id) as Row | undefined;
    if (options.ifMatchVersion !== undefined && current?.version_id !== options.ifMatchVersion) {
      throw new VersionConflictError(type, id, options.ifMatchVersion, current?.version_id);
    }
    const versionId = (current?.version_id ?? 0) + 1;
    const lastUpdated = options.now ?? new Date().toISOString();
    const meta = JSON.stringify({ ...planned.meta, versionId: String(versionId), lastUpdated });
    const content = `${planned.json.slice(0, -1)},"meta":${meta}}`;
    const row = { resource_type: type, id, version_id: versionId, last_updated: lastUpdated, deleted: 0, content };
    this.stmts.upsert.run({ ...row, patient_id: planned.patientId });
    this.stmts.insertHistory.run(row);
    if (current) this.clearIndex(type, id);
    this.insertIndexRows(type, id, planned.rows);
    return { versionId, lastUpdated, existed: current !== undefined && current.deleted === 0 };
  }

  /**
   * `writePlanned` for many resources in the caller's transaction, with multi-row INSERTs for the
   * new ones: a large import's write is mostly index rows. Results are in input order.
   */
  writePlannedMany(items: readonly PlannedItem[], now: string): Array<{ versionId: number; lastUpdated: string; existed: boolean }> {
    const b = (this.buffers ??= {
      resource: new RowBuffer(this.sqlite, 'resources', ['resource_type', 'id', 'version_id', 'last_updated', 'deleted', 'patient_id', 'content']),
      history: new RowBuffer(this.sqlite, 'resource_history', ['resource_type', 'id', 'version_id', 'last_updated', 'deleted', 'content']),
      token: new RowBuffer(this.sqlite, 'search_token', ['resource_type', 'resource_id', 'param', 'system', 'code']),
      string: new RowBuffer(this.sqlite, 'search_string', ['resource_type', 'resource_id', 'param', 'value']),
      reference: new RowBuffer(this.sqlite, 'search_reference', ['resource_type', 'resource_id', 'param', 'target_type', 'target_id']),
      date: new RowBuffer(this.sqlite, 'search_date', ['resource_type', 'resource_id', 'param', 'start', 'end']),
    });
    const all = Object.values(b);
    const buffered = new Set<string>();
    const results: Array<{ versionId: number; lastUpdated: string; existed: boolean }> = [];
    try {
      for (const { type, id, planned, ifMatchVersion, isNew } of items) {
        const key = `${type}/${id}`;
        if (buffered.has(key)) {
          // The same resource twice: its first version must be in the tables before the second is read.
          for (const buffer of all) buffer.flush();
          buffered.clear();
        }
        const current = isNew ? undefined : (this.stmts.current.get(type, id) as Row | undefined);
        if (ifMatchVersion !== undefined && current?.version_id !== ifMatchVersion) {
          throw new VersionConflictError(type, id, ifMatchVersion, current?.version_id);
        }
        const versionId = (current?.version_id ?? 0) + 1;
        const meta = JSON.stringify({ ...planned.meta, versionId: String(versionId), lastUpdated: now });
        const content = `${planned.json.slice(0, -1)},"meta":${meta}}`;
        if (current) {
          this.stmts.upsert.run({ resource_type: type, id, version_id: versionId, last_updated: now, deleted: 0, patient_id: planned.patientId, content });
          this.clearIndex(type, id);
        } else {
          b.resource.push(type, id, versionId, now, 0, planned.patientId, content);
          buffered.add(key);
        }
        b.history.push(type, id, versionId, now, 0, content);
        for (const t of planned.rows.tokens) b.token.push(type, id, t.param, t.system, t.code);
        for (const r of planned.rows.strings) b.string.push(type, id, r.param, r.value);
        for (const r of planned.rows.references) b.reference.push(type, id, r.param, r.target_type, r.target_id);
        for (const d of planned.rows.dates) b.date.push(type, id, d.param, d.start, d.end);
        results.push({ versionId, lastUpdated: now, existed: current !== undefined && current.deleted === 0 });
      }
      for (const buffer of all) buffer.flush();
    } catch (err) {
      for (const buffer of all) buffer.discard();
      throw err;
    }
    return results;
  }

  private clearIndex(type: string, id: string): void {
    this.stmts.deleteTokens.run(type, id);
    this.stmts.deleteStrings.run(type, id);
    this.stmts.deleteReferences.run(type, id);
    this.stmts.deleteDates.run(type, id);
  }

  private index(resource: Resource & { id: string }): void {
    this.insertIndexRows(resource.resourceType, resource.id, extractIndexRows(resource));
  }

  private insertIndexRows(type: string, id: string, rows: IndexRows): void {
    for (const t of rows.tokens) this.stmts.insertToken.run(type, id, t.param, t.system, t.code);
    for (const s of rows.strings) this.stmts.insertString.run(type, id, s.param, s.value);
    for (const r of rows.references) this.stmts.insertReference.run(type, id, r.param, r.target_type, r.target_id);
    for (const d of rows.dates) this.stmts.insertDate.run(type, id, d.param, d.start, d.end);
  }
}

function toStored(row: Row): StoredVersion {
  return {
    resource: JSON.parse(row.content) as Resource,
    versionId: row.version_id,
    lastUpdated: row.last_updated,
    deleted: row.deleted === 1,
  };
}
