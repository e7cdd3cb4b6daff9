/**
 * Holds on slots (`slot_holds`, migration 017). Synchronous prepared statements on the
 * better-sqlite3 connection on purpose: a hold is checked and a booking written in one SQLite
 * transaction together with the FHIR Slot and Appointment (whose store is synchronous), with no
 * `await` in between — that is what makes a slot impossible to book twice.
 */
import { randomUUID } from 'node:crypto';
import type SQLite from 'better-sqlite3';

export interface HoldRow {
  id: string;
  slot_id: string;
  holder_id: string;
  holder_role: string;
  created_at: string;
  expires_at: string;
}

export class HoldRepository {
  private readonly stmts;

  constructor(sqlite: SQLite.Database) {
    const s = (sql: string) => sqlite.prepare(sql);
    this.stmts = {
      bySlot: s('SELECT * FROM slot_holds WHERE slot_id = ?'),
      byId: s('SELECT * FROM slot_holds WHERE id = ?'),
      liveCountOf: s('SELECT COUNT(*) AS n FROM slot_holds WHERE holder_id = ? AND expires_at > ? AND slot_id <> ?'),
      upsert: s(
        `INSERT INTO slot_holds (id, slot_id, holder_id, holder_role, created_at, expires_at) VALUES (@id, @slot_id, @holder_id, @holder_role, @created_at, @expires_at)
         ON CONFLICT (slot_id) DO UPDATE SET id = excluded.id, holder_id = excluded.holder_id, holder_role = excluded.holder_role,
           created_at = excluded.created_at, expires_at = excluded.expires_at`,
      ),
      extend: s('UPDATE slot_holds SET expires_at = ? WHERE id = ?'),
      deleteById: s('DELETE FROM slot_holds WHERE id = ?'),
      deleteBySlot: s('DELETE FROM slot_holds WHERE slot_id = ?'),
      deleteExpired: s('DELETE FROM slot_holds WHERE expires_at <= ?'),
    };
  }

  bySlot(slotId: string): HoldRow | undefined {
    return this.stmts.bySlot.get(slotId) as HoldRow | undefined;
  }

  byId(id: string): HoldRow | undefined {
    return this.stmts.byId.get(id) as HoldRow | undefined;
  }

  /** Live holds of this holder on other slots. */
  liveCountOf(holderId: string, nowIso: string, exceptSlotId: string): number {
    return (this.stmts.liveCountOf.get(holderId, nowIso, exceptSlotId) as { n: number }).n;
  }

  /** Holds the slot for the holder (replacing an expired hold of anyone). */
  put(input: { slotId: string; holderId: string; holderRole: string; nowIso: string; expiresAtIso: string }): HoldRow {
    const row: HoldRow = { id: randomUUID(), slot_id: input.slotId, holder_id: input.holderId, holder_role: input.holderRole, created_at: input.nowIso, expires_at: input.expiresAtIso };
    this.stmts.upsert.run(row);
    return row;
  }

  extend(id: string, expiresAtIso: string): void {
    this.stmts.extend.run(expiresAtIso, id);
  }

  delete(id: string): void {
    this.stmts.deleteById.run(id);
  }

  deleteForSlot(slotId: string): void {
    this.stmts.deleteBySlot.run(slotId);
  }

  deleteExpired(nowIso: string): number {
    return this.stmts.deleteExpired.run(nowIso).changes;
  }
}
