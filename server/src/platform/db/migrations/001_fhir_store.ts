import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('resources')
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('version_id', 'integer', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('patient_id', 'text')
    .addColumn('content', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('resources_pk', ['resource_type', 'id'])
    .execute();
  await db.schema.createIndex('resources_patient').on('resources').columns(['patient_id', 'resource_type']).execute();
  await db.schema
    .createIndex('resources_type_updated')
    .on('resources')
    .columns(['resource_type', 'last_updated'])
    .execute();

  await db.schema
    .createTable('resource_history')
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('version_id', 'integer', (c) => c.notNull())
    .addColumn('last_updated', 'text', (c) => c.notNull())
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('content', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('resource_history_pk', ['resource_type', 'id', 'version_id'])
    .execute();

  await db.schema
    .createTable('search_token')
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('param', 'text', (c) => c.notNull())
    .addColumn('system', 'text')
    .addColumn('code', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('search_token_lookup')
    .on('search_token')
    .columns(['resource_type', 'param', 'code', 'system'])
    .execute();
  await db.schema.createIndex('search_token_owner').on('search_token').columns(['resource_type', 'resource_id']).execute();

  await db.schema
    .createTable('search_string')
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('param', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('search_string_lookup')
    .on('search_string')
    .columns(['resource_type', 'param', 'value'])
    .execute();
  await db.schema
    .createIndex('search_string_owner')
    .on('search_string')
    .columns(['resource_type', 'resource_id'])
    .execute();

  await db.schema
    .createTable('search_reference')
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('param', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('search_reference_lookup')
    .on('search_reference')
    .columns(['resource_type', 'param', 'target_id', 'target_type'])
    .execute();
  await db.schema
    .createIndex('search_reference_owner')
    .on('search_reference')
    .columns(['resource_type', 'resource_id'])
    .execute();

  await db.schema
    .createTable('search_date')
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('param', 'text', (c) => c.notNull())
    .addColumn('start', 'text', (c) => c.notNull())
    .addColumn('end', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('search_date_lookup')
    .on('search_date')
    .columns(['resource_type', 'param', 'start'])
    .execute();
  await db.schema.createIndex('search_date_owner').on('search_date').columns(['resource_type', 'resource_id']).execute();

  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
