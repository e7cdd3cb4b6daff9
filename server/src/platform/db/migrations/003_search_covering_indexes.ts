import type { Kysely } from 'kysely';

/**
 * FHIR search indexes that cover every column a search touches, in the two orders a search needs:
 * value first (`*_match`: find the resources with this code/name/reference/date — the query's
 * driving list) and resource first (`*_resource`: does this candidate also match? — the other
 * clauses, and deleting a resource's rows on update). They replace the 001 lookup/owner pairs,
 * whose column order made SQLite check a second clause by scanning every row with the same code.
 */
const TABLES = [
  { table: 'search_token', old: ['search_token_lookup', 'search_token_owner'], values: ['code', 'system'] },
  { table: 'search_string', old: ['search_string_lookup', 'search_string_owner'], values: ['value'] },
  { table: 'search_reference', old: ['search_reference_lookup', 'search_reference_owner'], values: ['target_id', 'target_type'] },
  { table: 'search_date', old: ['search_date_lookup', 'search_date_owner'], values: ['start', 'end'] },
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const { table, old, values } of TABLES) {
    for (const name of old) await db.schema.dropIndex(name).ifExists().execute();
    await db.schema
      .createIndex(`${table}_match`)
      .on(table)
      .columns(['resource_type', 'param', ...values, 'resource_id'])
      .execute();
    await db.schema
      .createIndex(`${table}_resource`)
      .on(table)
      .columns(['resource_type', 'resource_id', 'param', ...values])
      .execute();
  }
}
