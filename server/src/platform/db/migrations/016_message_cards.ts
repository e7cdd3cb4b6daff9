import { sql, type Kysely } from 'kysely';

/**
 * Cards in a chat: a staff member sends the patient an appointment confirmation, an article link or
 * another card; its JSON (`ChatCard`, contracts/conversations.ts) rides on the `card` message.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE conversation_messages ADD COLUMN card TEXT`.execute(db);
}
