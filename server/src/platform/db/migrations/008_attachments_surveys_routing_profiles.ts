import type { Kysely } from 'kysely';

/**
 * Issue 4, second step:
 * - `attachments`: the bytes of files uploaded into a chat (images, PDF), with their SHA-256; one per
 *   uploader and client message id, so a resent upload stores nothing twice. (On PostgreSQL the
 *   `blob` column becomes `bytea`.)
 * - `survey_offers`: one follow-up survey per conversation, reachable only through a single-use token
 *   of which only the SHA-256 is stored; once answered it also holds the answers and the two scores
 *   the supervisor lists aggregate (CSAT, NPS).
 * - `agent_routing_profiles`: skills and capacity per staff account, read by routing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('uploader_id', 'text', (c) => c.notNull())
    .addColumn('client_message_id', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('data', 'blob', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('attachments_client_message', ['conversation_id', 'uploader_id', 'client_message_id'])
    .execute();

  await db.schema
    .createTable('survey_offers')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('survey_id', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text')
    .addColumn('agent_id', 'text')
    .addColumn('queue', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'text')
    .addColumn('response_id', 'text')
    .addColumn('answers', 'text')
    .addColumn('csat', 'integer')
    .addColumn('nps', 'integer')
    .execute();
  await db.schema.createIndex('survey_offers_answered').on('survey_offers').columns(['answered_at']).execute();
  await db.schema.createIndex('survey_offers_agent').on('survey_offers').columns(['agent_id', 'answered_at']).execute();
  await db.schema.createIndex('survey_offers_queue').on('survey_offers').columns(['queue', 'answered_at']).execute();

  await db.schema
    .createTable('agent_routing_profiles')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('skills', 'text', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();
}
