import type { Kysely } from 'kysely';

/**
 * Who the patient in a conversation is, once known: the patient an agent verified (two or more
 * matching details) and how, and the failed tries (verification locks after five).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('conversation_identity')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('patient_id', 'text')
    .addColumn('method', 'text')
    .addColumn('factors', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('verified_by', 'text')
    .addColumn('verified_at', 'text')
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Patient 360's previous conversations: those an agent verified as this patient.
  await db.schema.createIndex('conversation_identity_patient').on('conversation_identity').column('patient_id').execute();
}
