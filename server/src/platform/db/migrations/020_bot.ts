import { sql, type Kysely } from 'kysely';

/**
 * The health bot (server/src/bot): scenarios and their versions (draft / published / retired; the
 * Azure Health Bot `code` object as JSON, kept as imported), the string tables (`stringId` and
 * `customLocalizedStrings` per locale), each conversation's checkpointed engine state (the scenario
 * stack, variables, pending prompt, retries), the user- and global-scope variables, and what a bot
 * message carries besides its text (cards, suggested actions; a patient's submitted card inputs).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bot_scenarios')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trigger', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    // import | builtin | authored
    .addColumn('origin', 'text', (c) => c.notNull())
    // The export's own fields we keep for the round trip (updated, userDisplayName, unknown extras), JSON.
    .addColumn('export_meta', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('bot_scenario_versions')
    .addColumn('scenario_id', 'text', (c) => c.notNull().references('bot_scenarios.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    // draft | published | retired
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addPrimaryKeyConstraint('bot_scenario_versions_pk', ['scenario_id', 'version'])
    .execute();
  await db.schema.createIndex('bot_scenario_versions_status').on('bot_scenario_versions').columns(['status', 'scenario_id']).execute();
  await db.schema
    .createTable('bot_strings')
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('bot_strings_pk', ['locale', 'key'])
    .execute();
  await db.schema
    .createTable('bot_sessions')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('turns', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('bot_user_vars')
    .addColumn('user_key', 'text', (c) => c.primaryKey())
    .addColumn('vars', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('bot_globals')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await sql`ALTER TABLE conversation_messages ADD COLUMN bot_content TEXT`.execute(db);
}
