import type { Kysely } from 'kysely';

/**
 * Agent scripts (server/src/agent-scripts): each script, its versions (draft / published / retired,
 * the YAML source and the validated definition as JSON) and each conversation's run of one (the
 * script version, who chose it, the answers and the steps done, as JSON).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agent_scripts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // The file in agent-scripts/ it was imported from, and that file's hash when last imported.
    .addColumn('file', 'text')
    .addColumn('file_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('agent_script_versions')
    .addColumn('script_id', 'text', (c) => c.notNull().references('agent_scripts.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('restored_from', 'integer')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addPrimaryKeyConstraint('agent_script_versions_pk', ['script_id', 'version'])
    .execute();
  await db.schema.createIndex('agent_script_versions_status').on('agent_script_versions').columns(['status', 'script_id']).execute();
  await db.schema
    .createTable('agent_script_runs')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('script_id', 'text', (c) => c.notNull().references('agent_scripts.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('chosen_by', 'text', (c) => c.notNull())
    .addColumn('chosen_by_user', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('answers', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('completed', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
