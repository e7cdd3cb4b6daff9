import type { Kysely } from 'kysely';

/**
 * Attachment messages (issue 4): an `attachment` message carries the file's description (id, name,
 * type, size, download URL) as JSON in `attachment`; the bytes live in their own table (added by the
 * attachments domain).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversation_messages').addColumn('attachment', 'text').execute();
}

