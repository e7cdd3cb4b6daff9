/**
 * The availability query, straight on the FHIR store's search index tables (read-only; the fhir
 * module owns and writes them). A generic FHIR search cannot leave out slots someone holds
 * (`slot_holds`, this module's table) or page by (start, id), and over 60 days of one specialty it
 * would read every Slot's JSON to sort them; this reads only index rows, then the caller reads the
 * page's few Slots through the FHIR system facade.
 *
 * The schedules come from the directory (specialty, practitioner, language and location are
 * resolved in memory), so the SQL only asks: Slot.schedule IN (…), start in range, status free,
 * the visit mode, no live hold of someone else's, after the cursor. SQLite drives it by the date
 * range (the covering `search_date_match` index) and probes the others through their
 * resource-first indexes: about 2 ms for 60 days of the whole synthetic clinic (7,000 slots), see
 * `npm run bench:scheduling`. The SQL is portable (no SQLite-only functions, no row values).
 */
import type SQLite from 'better-sqlite3';
import type { SchedulingMode } from '../contracts/scheduling.js';

export const V3_ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const STATEMENT_CACHE_LIMIT = 200;

export interface FreeSlotQuery {
  scheduleIds: readonly string[];
  /** Start at or after this instant (ISO, as the index stores it: `toISOString()`). */
  fromIso: string;
  /** Start before this instant. */
  toIso: string;
  mode?: SchedulingMode;
  /** Holds that live at `nowIso` hide a slot, unless they are `holderId`'s own. */
  nowIso: string;
  holderId: string | null;
  /** Keyset: only slots after this (start, id). */
  after?: { start: string; id: string };
  excludeSlotId?: string;
  limit: number;
}

export interface FreeSlotRow {
  id: string;
  start: string;
}

export class SlotIndex {
  private readonly statements = new Map<string, SQLite.Statement>();
  private readonly fingerprintStatement: SQLite.Statement;

  constructor(private readonly sqlite: SQLite.Database) {
    this.fingerprintStatement = sqlite.prepare(
      `SELECT resource_type AS type, COUNT(*) AS n, SUM(version_id) AS versions FROM resources
       WHERE resource_type IN ('Schedule', 'Practitioner', 'PractitionerRole', 'Location', 'HealthcareService')
       GROUP BY resource_type ORDER BY resource_type`,
    );
  }

  /**
   * Changes whenever a directory resource is created, updated or deleted (every write adds a
   * version): the directory cache rebuilds when it differs.
   */
  directoryFingerprint(): string {
    return (this.fingerprintStatement.all() as Array<{ type: string; n: number; versions: number }>).map((r) => `${r.type}:${r.n}:${r.versions}`).join(',');
  }

  freeSlots(query: FreeSlotQuery): FreeSlotRow[] {
    if (query.scheduleIds.length === 0 || query.limit < 1) return [];
    // Pad the IN list to a power of two so a few statement shapes serve every search.
    const ids = [...query.scheduleIds];
    const size = 2 ** Math.ceil(Math.log2(ids.length));
    while (ids.length < size) ids.push(ids[ids.length - 1]!);
    const params: unknown[] = [...ids, query.fromIso, query.toIso];
    let sql = `SELECT d.resource_id AS id, d.start AS start
      FROM search_reference s
      JOIN search_date d ON d.resource_type = 'Slot' AND d.resource_id = s.resource_id AND d.param = 'start'
      WHERE s.resource_type = 'Slot' AND s.param = 'schedule' AND s.target_type = 'Schedule'
        AND s.target_id IN (${ids.map(() => '?').join(', ')})
        AND d.start >= ? AND d.start < ?
        AND EXISTS (SELECT 1 FROM search_token t WHERE t.resource_type = 'Slot' AND t.resource_id = d.resource_id AND t.param = 'status' AND t.code = 'free')`;
    if (query.mode !== undefined) {
      sql += `
        AND ${query.mode === 'virtual' ? '' : 'NOT '}EXISTS (SELECT 1 FROM search_token v WHERE v.resource_type = 'Slot' AND v.resource_id = d.resource_id
          AND v.param = 'service-type' AND v.code = 'VR' AND v.system = ?)`;
      params.push(V3_ACT_CODE);
    }
    sql += `
        AND NOT EXISTS (SELECT 1 FROM slot_holds h WHERE h.slot_id = d.resource_id AND h.expires_at > ?${query.holderId === null ? '' : ' AND h.holder_id <> ?'})`;
    params.push(query.nowIso);
    if (query.holderId !== null) params.push(query.holderId);
    if (query.after) {
      sql += ' AND (d.start > ? OR (d.start = ? AND d.resource_id > ?))';
      params.push(query.after.start, query.after.start, query.after.id);
    }
    if (query.excludeSlotId !== undefined) {
      sql += ' AND d.resource_id <> ?';
      params.push(query.excludeSlotId);
    }
    sql += ' ORDER BY d.start, d.resource_id LIMIT ?';
    params.push(query.limit);
    return this.statement(sql).all(...params) as FreeSlotRow[];
  }

  private statement(sql: string): SQLite.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      if (this.statements.size >= STATEMENT_CACHE_LIMIT) this.statements.clear();
      stmt = this.sqlite.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}
