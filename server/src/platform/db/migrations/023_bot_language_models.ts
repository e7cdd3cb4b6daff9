import type { Kysely } from 'kysely';

/**
 * The health bot's custom language models (server/src/bot/language): each model bot authors edit
 * (RegEx or trained from utterances), and every saved version of it with its definition and the
 * held-out evaluation of its training, as JSON. Nothing is deleted; the newest version is live.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bot_language_models')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('current_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('bot_language_model_versions')
    .addColumn('model_id', 'text', (c) => c.notNull().references('bot_language_models.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('evaluation', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('bot_language_model_versions_pk', ['model_id', 'version'])
    .execute();
}
