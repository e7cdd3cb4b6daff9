import type { Kysely } from 'kysely';

/**
 * The chat widget's pre-chat answers (the reason for contacting us, a visitor's date of birth) as
 * JSON on the conversation; the hand-off packet's collected answers include them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('prechat', 'text').execute();
}
