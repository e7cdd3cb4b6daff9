/**
 * Staff members' own quick replies (`personal_quick_replies`, migration 014): kept beside the clinic's
 * list, which admins and supervisors edit. The composer offers both, the user's own first.
 */
import type { Kysely } from 'kysely';
import { personalQuickRepliesSchema, type QuickReply } from '../contracts/conversations.js';
import type { Database } from '../platform/db/schema.js';

export class PersonalQuickReplies {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async list(userId: string): Promise<QuickReply[]> {
    const row = await this.db.selectFrom('personal_quick_replies').select('replies').where('user_id', '=', userId).executeTakeFirst();
    if (!row) return [];
    // Written only after validation; a row that no longer fits (a schema change) reads as empty rather than failing the desk.
    const parsed = personalQuickRepliesSchema.safeParse({ quickReplies: JSON.parse(row.replies) as unknown });
    return parsed.success ? parsed.data.quickReplies : [];
  }

  /** Replaces the user's list (already validated by the route). */
  async replace(userId: string, replies: readonly QuickReply[]): Promise<QuickReply[]> {
    const at = this.now().toISOString();
    const json = JSON.stringify(replies);
    await this.db
      .insertInto('personal_quick_replies')
      .values({ user_id: userId, replies: json, updated_at: at })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ replies: json, updated_at: at }))
      .execute();
    return [...replies];
  }
}
