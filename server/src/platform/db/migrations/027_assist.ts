import type { Kysely } from 'kysely';

/**
 * Smart assist (server/src/assist): each conversation's latest suggestions (JSON, with its red flag,
 * so a restarted server and a reopened desk show them), every suggestion shown once per conversation
 * (the report's denominator), and agents' ratings of them (the latest per agent and suggestion).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('assist_updates')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('update_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('assist_shown')
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('suggestion_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('assist_shown_pk', ['conversation_id', 'suggestion_id'])
    .execute();
  await db.schema.createIndex('assist_shown_at').on('assist_shown').columns(['at', 'kind']).execute();
  await db.schema
    .createTable('assist_ratings')
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('suggestion_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('rating', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('assist_ratings_pk', ['conversation_id', 'suggestion_id', 'user_id'])
    .execute();
  await db.schema.createIndex('assist_ratings_at').on('assist_ratings').columns(['at', 'kind']).execute();
}
