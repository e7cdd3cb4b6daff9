import type { Kysely } from 'kysely';

/**
 * Supervisor insights (issue 13): the append-only event log every report is computed from. One row
 * per event (`contracts/insights.ts`, `INSIGHT_EVENT_TYPES`), carrying the conversation's channel and,
 * once known, its queue and agent, so reports filter and group without joins. `day` is the clinic's
 * calendar day (CLINIC_TIME_ZONE) of `at`, stored so day ranges and day groups are plain comparisons
 * in any SQL dialect. `value`/`value2` hold the event's figures (a wait, a response time, CSAT and
 * NPS, a sentiment scale). `synthetic` = 1 marks rows the demo seeding generated.
 *
 * The report queries read one event type over a day range: the covering index starts with
 * (type, day) and holds every column they group or aggregate on.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('insight_events')
    .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('queue', 'text')
    .addColumn('agent_id', 'text')
    .addColumn('value', 'real')
    .addColumn('value2', 'real')
    .addColumn('data', 'text')
    .addColumn('synthetic', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('insight_events_type_day')
    .on('insight_events')
    .columns(['type', 'day', 'channel', 'queue', 'agent_id', 'value', 'value2', 'synthetic'])
    .execute();
  await db.schema.createIndex('insight_events_conversation').on('insight_events').columns(['conversation_id', 'seq']).execute();
}
