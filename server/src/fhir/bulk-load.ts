/**
 * Bulk creation of new resources, for seeding and large imports: the same rows
 * `ResourceStore.writeVersion` writes for a new resource (a `resources` row with its compartment
 * patient, a `resource_history` row at version 1, `meta.versionId "1"` and `meta.lastUpdated`, and
 * every search index row), through prepared statements in caller-sized transactions.
 *
 * During a load it can trade durability for speed (`synchronous=OFF`, a bigger page cache) and
 * drop the secondary indexes of the resource and search tables, rebuilding them in `close()`.
 * The dropped definitions are kept in the `meta` table first, so an interrupted load is repaired by
 * `rebuildDroppedIndexes` (the seeder calls it before every run).
 *
 * Only for resources that do not exist yet: an existing id fails with a constraint error and the
 * caller's transaction rolls back. SQLite-specific (pragmas, sqlite_master); a PostgreSQL loader
 * would use COPY instead.
 */
import os from 'node:os';
import type SQLite from 'better-sqlite3';
import type { Resource } from '@medplum/fhirtypes';
import { inTransaction } from '../platform/db/index.js';
import { RowBuffer } from './row-buffer.js';
import { compartmentPatientId, extractIndexRows } from './search-parameters.js';

export interface BulkLoadOptions {
  /** `meta.lastUpdated` of every resource (default: the time the loader was created). */
  lastUpdated?: string;
  /** `synchronous=OFF` and a bigger page cache while loading; restored by close(). Default true. */
  fastWrites?: boolean;
  /** Page cache while loading, in MiB (default 256). */
  cacheMiB?: number;
  /** Drop the secondary indexes of `resources` and `search_*` now and rebuild them in close(). */
  dropIndexes?: boolean;
  /** Progress messages for long steps (dropping and rebuilding indexes). */
  onPhase?: (message: string) => void;
}

/** The tables whose secondary indexes a load may drop. */
const LOAD_TABLES = ['resources', 'search_token', 'search_string', 'search_reference', 'search_date'] as const;
const DROPPED_INDEXES_KEY = 'bulk_load.dropped_indexes';

interface IndexDefinition {
  name: string;
  sql: string;
}

export class BulkLoader {
  private readonly rows;
  private readonly lastUpdated: string;
  private readonly restore: { synchronous: number; cacheSize: number } | undefined;
  private readonly onPhase: (message: string) => void;
  private droppedIndexes = false;
  private closed = false;
  private inLoad = false;
  private readonly counts = new Map<string, number>();
  private total = 0;

  constructor(
    readonly sqlite: SQLite.Database,
    options: BulkLoadOptions = {},
  ) {
    this.lastUpdated = options.lastUpdated ?? new Date().toISOString();
    this.onPhase = options.onPhase ?? (() => {});
    const version = { version_id: '1', deleted: '0' };
    this.rows = {
      resource: new RowBuffer(sqlite, 'resources', ['resource_type', 'id', 'last_updated', 'patient_id', 'content'], version),
      history: new RowBuffer(sqlite, 'resource_history', ['resource_type', 'id', 'last_updated', 'content'], version),
      token: new RowBuffer(sqlite, 'search_token', ['resource_type', 'resource_id', 'param', 'system', 'code']),
      string: new RowBuffer(sqlite, 'search_string', ['resource_type', 'resource_id', 'param', 'value']),
      reference: new RowBuffer(sqlite, 'search_reference', ['resource_type', 'resource_id', 'param', 'target_type', 'target_id']),
      date: new RowBuffer(sqlite, 'search_date', ['resource_type', 'resource_id', 'param', 'start', 'end']),
    };
    if (options.fastWrites !== false) {
      this.restore = {
        synchronous: sqlite.pragma('synchronous', { simple: true }) as number,
        cacheSize: sqlite.pragma('cache_size', { simple: true }) as number,
      };
      sqlite.pragma('synchronous = OFF');
      sqlite.pragma(`cache_size = ${-1024 * Math.max(2, Math.floor(options.cacheMiB ?? 256))}`);
    }
    if (options.dropIndexes) this.dropIndexes();
  }

  /** Resources written so far. */
  get written(): number {
    return this.total;
  }

  /** Resources written so far, per type. */
  writtenByType(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Runs `work` (which calls `add`) in one transaction; everything added is written when it returns. */
  transaction<T>(work: () => T): T {
    if (this.closed) throw new Error('BulkLoader is closed');
    if (this.inLoad) return work();
    this.inLoad = true;
    const counted = { total: this.total, counts: new Map(this.counts) };
    try {
      return inTransaction(this.sqlite, () => {
        const result = work();
        for (const buffer of Object.values(this.rows)) buffer.flush();
        return result;
      });
    } catch (err) {
      this.total = counted.total;
      this.counts.clear();
      for (const [type, n] of counted.counts) this.counts.set(type, n);
      throw err;
    } finally {
      this.inLoad = false;
      // After a rollback the buffers may hold rows of the failed batch: drop them with it.
      for (const buffer of Object.values(this.rows)) buffer.discard();
    }
  }

  /** Queues a new resource at version 1 and returns it as stored (with meta). Only inside `transaction`. */
  add<T extends Resource>(resource: T & { id: string }): T {
    if (!this.inLoad) throw new Error('BulkLoader.add must be called inside BulkLoader.transaction');
    const type = resource.resourceType;
    const id = resource.id;
    // The same shape and key order as ResourceStore.writeVersion produces.
    const stored = { ...resource, meta: { ...resource.meta, versionId: '1', lastUpdated: this.lastUpdated } } as T & { id: string };
    const content = JSON.stringify(stored);
    this.rows.resource.push(type, id, this.lastUpdated, compartmentPatientId(stored), content);
    this.rows.history.push(type, id, this.lastUpdated, content);
    const index = extractIndexRows(stored);
    for (const t of index.tokens) this.rows.token.push(type, id, t.param, t.system, t.code);
    for (const r of index.strings) this.rows.string.push(type, id, r.param, r.value);
    for (const r of index.references) this.rows.reference.push(type, id, r.param, r.target_type, r.target_id);
    for (const d of index.dates) this.rows.date.push(type, id, d.param, d.start, d.end);
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
    this.total += 1;
    return stored;
  }

  /** Rebuilds dropped indexes, restores the pragmas and checkpoints the WAL. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Restore first: index builds sort in memory up to the cache size per sorter thread, so the
    // normal cache keeps the rebuild's peak memory low (measured: 1.2 GB with the load's cache).
    if (this.restore) {
      this.sqlite.pragma(`synchronous = ${this.restore.synchronous}`);
      this.sqlite.pragma(`cache_size = ${this.restore.cacheSize}`);
    }
    if (this.droppedIndexes) rebuildDroppedIndexes(this.sqlite, this.onPhase);
    this.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  }

  private dropIndexes(): void {
    const placeholders = LOAD_TABLES.map(() => '?').join(', ');
    const indexes = this.sqlite
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${placeholders}) ORDER BY name`)
      .all(...LOAD_TABLES) as IndexDefinition[];
    if (indexes.length === 0) return;
    this.onPhase(`dropping ${indexes.length} search and resource indexes for the load (rebuilt at the end)`);
    inTransaction(this.sqlite, () => {
      // Remember them first (merged with any left over by an interrupted load).
      const pending = new Map(readDropped(this.sqlite).map((i) => [i.name, i]));
      for (const index of indexes) pending.set(index.name, index);
      this.sqlite
        .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
        .run(DROPPED_INDEXES_KEY, JSON.stringify([...pending.values()]));
      for (const index of indexes) this.sqlite.exec(`DROP INDEX ${quoteIdentifier(index.name)}`);
    });
    this.droppedIndexes = true;
  }
}

function readDropped(sqlite: SQLite.Database): IndexDefinition[] {
  const row = sqlite.prepare('SELECT value FROM meta WHERE key = ?').get(DROPPED_INDEXES_KEY) as { value: string } | undefined;
  if (!row) return [];
  const parsed = JSON.parse(row.value) as unknown;
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (i): i is IndexDefinition =>
      typeof i === 'object' && i !== null && typeof (i as IndexDefinition).name === 'string' && /^\s*CREATE\s+INDEX\s/i.test(String((i as IndexDefinition).sql)),
  );
}

/**
 * Recreates indexes a bulk load dropped (after the load, or after an interrupted one) and forgets
 * them. Returns how many were rebuilt.
 */
export function rebuildDroppedIndexes(sqlite: SQLite.Database, onPhase: (message: string) => void = () => {}): number {
  const dropped = readDropped(sqlite);
  const existing = new Set(
    (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as Array<{ name: string }>).map((r) => r.name),
  );
  const missing = dropped.filter((i) => !existing.has(i.name));
  // Index builds sort; SQLite can use helper threads for that (off by default).
  const threads = sqlite.pragma('threads', { simple: true }) as number;
  sqlite.pragma(`threads = ${Math.min(4, os.availableParallelism())}`);
  try {
    missing.forEach((index, i) => {
      onPhase(`rebuilding index ${i + 1}/${missing.length}: ${index.name}`);
      sqlite.exec(index.sql);
    });
  } finally {
    sqlite.pragma(`threads = ${threads}`);
  }
  if (dropped.length > 0) sqlite.prepare('DELETE FROM meta WHERE key = ?').run(DROPPED_INDEXES_KEY);
  return missing.length;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
