/**
 * The versioned FHIR resource store: current versions in `resources`, every version in
 * `resource_history`, and search index rows in the `search_*` tables, all written in one
 * transaction per change. Writes are synchronous on the raw connection so that a transaction
 * Bundle (many writes) is atomic; never mix these with Kysely transactions on the same connection.
 */
import { randomUUID } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import type { Resource } from '@medplum/fhirtypes';
import { inTransaction } from '../platform/db/index.js';
import { compartmentPatientId, extractIndexRows } from './search-parameters.js';

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

export class ResourceStore {
  private readonly stmts;

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

  static newId(): string {
    return randomUUID();
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

  private clearIndex(type: string, id: string): void {
    this.stmts.deleteTokens.run(type, id);
    this.stmts.deleteStrings.run(type, id);
    this.stmts.deleteReferences.run(type, id);
    this.stmts.deleteDates.run(type, id);
  }

  private index(resource: Resource & { id: string }): void {
    const type = resource.resourceType;
    const rows = extractIndexRows(resource);
    for (const t of rows.tokens) this.stmts.insertToken.run(type, resource.id, t.param, t.system, t.code);
    for (const s of rows.strings) this.stmts.insertString.run(type, resource.id, s.param, s.value);
    for (const r of rows.references) this.stmts.insertReference.run(type, resource.id, r.param, r.target_type, r.target_id);
    for (const d of rows.dates) this.stmts.insertDate.run(type, resource.id, d.param, d.start, d.end);
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
