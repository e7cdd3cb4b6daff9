import type { Kysely } from 'kysely';

/**
 * Staff members' own quick replies, beside the clinic's (which live in `clinic_settings`): one row per
 * user, the list as JSON validated by `personalQuickRepliesSchema` (contracts/conversations.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('personal_quick_replies')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('replies', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
