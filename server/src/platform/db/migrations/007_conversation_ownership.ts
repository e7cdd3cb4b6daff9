import { sql, type Kysely } from 'kysely';

/**
 * Staff operations on live conversations (issue 4): who owns a conversation now (`agent_id`), since
 * when it waits for a person (`queued_at`), why routing gave it to its agent (`assignment_reason`,
 * JSON `AssignmentReason`; null when transferred or reassigned by hand), and the agent's wrap-up.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('agent_id', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('queued_at', 'text').execute();
  await db.schema.alterTable('conversations').addColumn('assignment_reason', 'text').execute();
  await db.schema.createIndex('conversations_agent').on('conversations').columns(['agent_id', 'state']).execute();

  await db.schema
    .createTable('conversation_wrapups')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey().references('conversations.id').onDelete('cascade'))
    .addColumn('disposition', 'text')
    .addColumn('notes', 'text')
    .addColumn('by_user_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();

  // Conversations already with a person before this migration: their agent is the first agent participant.
  await sql`
    UPDATE conversations SET agent_id = (
      SELECT p.user_id FROM conversation_participants p
      WHERE p.conversation_id = conversations.id AND p.kind = 'agent' AND p.left_at IS NULL
      ORDER BY p.joined_at, p.user_id LIMIT 1)
    WHERE state IN ('active', 'waiting', 'wrapup')`.execute(db);
  await sql`UPDATE conversations SET queued_at = updated_at WHERE state IN ('queued', 'offered')`.execute(db);
}
