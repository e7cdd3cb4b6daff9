import type { Kysely } from 'kysely';

/**
 * Clinic settings edited in the desk's admin workspace (routing queues and hours, conversation
 * settings, the follow-up survey): one row per section, the JSON value its contract's zod schema
 * validated, a version for optimistic concurrency, and who changed it last. The JSON files and
 * built-in defaults seed a section on first start; from then on this row is what is in force.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('clinic_settings')
    .addColumn('section', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();
}
