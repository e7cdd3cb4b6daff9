import type { Kysely } from 'kysely';

/**
 * Holds on appointment slots: while a patient or an agent confirms a time, the slot is kept for
 * them for a few minutes (`expires_at`). One row per slot at most (a second holder is refused while
 * the first hold lives; an expired row is replaced). Availability searches leave out slots held by
 * someone else, so the index on `(slot_id, expires_at)` is what they probe.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('slot_holds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slot_id', 'text', (c) => c.notNull().unique())
    .addColumn('holder_id', 'text', (c) => c.notNull())
    .addColumn('holder_role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('slot_holds_holder').on('slot_holds').columns(['holder_id', 'expires_at']).execute();
}
