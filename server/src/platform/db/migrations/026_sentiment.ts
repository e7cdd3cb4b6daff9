import type { Kysely } from 'kysely';

/**
 * Sentiment of patient messages (server/src/sentiment). `sentiment_message_scores`: one row per
 * scored patient message — its score, scale and flags, which provider produced it (`local`, then
 * `azure` when Azure AI Language answers; `azure` says where that stands), and the conversation's value right after it, so the
 * trend is one indexed read by (conversation, seq). `sentiment_conversations`: each conversation's
 * current value and whether its alert is armed (a restart does not alert twice for one crossing).
 * No message text is stored here: the trend's excerpts are read from the conversation.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sentiment_message_scores')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('score', 'real', (c) => c.notNull())
    .addColumn('scale', 'integer', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('flags', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    // 0 for flagged texts (empty, binary, unsupported language): stored, but not part of the conversation's value.
    .addColumn('evidence', 'integer', (c) => c.notNull())
    // Azure AI Language: null (not configured), 'pending', 'done', or 'failed' (the local score stays).
    .addColumn('azure', 'text')
    .addColumn('conversation_score', 'real', (c) => c.notNull())
    .addColumn('conversation_scale', 'integer', (c) => c.notNull())
    .addColumn('conversation_messages', 'integer', (c) => c.notNull())
    .addColumn('drop_from', 'integer')
    .addColumn('scored_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sentiment_message_scores_conversation').on('sentiment_message_scores').columns(['conversation_id', 'seq']).execute();
  await db.schema
    .createTable('sentiment_conversations')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('score', 'real', (c) => c.notNull())
    .addColumn('scale', 'integer', (c) => c.notNull())
    .addColumn('messages', 'integer', (c) => c.notNull())
    .addColumn('last_message_id', 'text', (c) => c.notNull())
    .addColumn('alert_armed', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
