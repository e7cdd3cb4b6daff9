import { sql, type Kysely } from 'kysely';

/**
 * Full-text search over chat transcripts (conversation history): an FTS5 index of the words people
 * wrote — patient, bot and staff messages, internal notes and whispers; not system lines — filled
 * from the messages already stored and kept current by a trigger on insert. Porter stemming, so
 * "appointments" finds "appointment"; diacritics folded. Messages are never edited; a deleted
 * conversation's index rows are left behind and never returned (searches join the conversations).
 * SQLite-only: the history repository is the one place that reads it (PostgreSQL would use a
 * tsvector column behind the same repository method).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE VIRTUAL TABLE conversation_messages_fts USING fts5(
    body, conversation_id UNINDEXED, seq UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
  )`.execute(db);
  await sql`INSERT INTO conversation_messages_fts (body, conversation_id, seq)
    SELECT body, conversation_id, seq FROM conversation_messages WHERE kind IN ('text', 'note', 'whisper')`.execute(db);
  await sql`CREATE TRIGGER conversation_messages_fts_insert AFTER INSERT ON conversation_messages
    WHEN new.kind IN ('text', 'note', 'whisper')
    BEGIN
      INSERT INTO conversation_messages_fts (body, conversation_id, seq) VALUES (new.body, new.conversation_id, new.seq);
    END`.execute(db);
  // The list's default order (newest first) and its date filters.
  await db.schema.createIndex('conversations_created').on('conversations').columns(['created_at', 'id']).execute();
}
