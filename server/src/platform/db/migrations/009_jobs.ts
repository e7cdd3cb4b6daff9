import { sql, type Kysely } from 'kysely';

/**
 * Durable jobs (issue 8): reminders, survey sends, sentiment batches and outreach run from this table
 * so they survive a restart. A worker claims a due job by compare-and-set on `attempts` and the lease
 * (`lease_owner`, `lease_expires_at`); a crashed worker's lease expires and the job is claimed again.
 * `idempotency_key` is unique per `type`, so enqueuing the same work twice yields one job (both
 * SQLite and PostgreSQL let several rows have a NULL key). Times are ISO-8601 UTC text, like the rest
 * of the schema, so they compare in order as strings.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('queued', 'running', 'succeeded', 'dead')`))
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('result', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addUniqueConstraint('jobs_type_idempotency_key', ['type', 'idempotency_key'])
    .execute();
  // The claim query: queued jobs that are due, and running jobs whose lease has expired.
  await db.schema.createIndex('jobs_due').on('jobs').columns(['state', 'run_at']).execute();
  await db.schema.createIndex('jobs_lease').on('jobs').columns(['state', 'lease_expires_at']).execute();
}
