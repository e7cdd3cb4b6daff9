/**
 * SQL for conversation history (Kysely, asynchronous): the filtered list, newest first with a keyset
 * cursor, and transcript search. Full-text search is SQLite's FTS5 index `conversation_messages_fts`
 * (migration 011) and lives only here, behind `list`'s `words` filter and `snippet`: a PostgreSQL
 * build would answer the same two calls from a tsvector column.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import { MATCH_END, MATCH_START } from '../platform/db/fts-snippet.js';

export interface HistoryFilter {
  /** Conversations this user took part in (any part, those they left included) or owns. */
  participant?: string;
  /** Conversations in these queues (an empty list matches none). */
  queues?: readonly string[];
  state: 'any' | 'open' | 'closed';
  queue?: string | undefined;
  agentId?: string | undefined;
  disposition?: string | undefined;
  /** ISO instants: created at or after `from`, before `until`. */
  from?: string | undefined;
  until?: string | undefined;
  /** Every word must appear in the transcript (prefixes match), or `phrase` in the patient's name. */
  words?: readonly string[];
  phrase?: string;
  after?: { createdAt: string; id: string } | undefined;
  limit: number;
}

export interface HistoryRow {
  id: string;
  channel: string;
  state: string;
  queue: string | null;
  patient_id: string | null;
  visitor_name: string | null;
  agent_id: string | null;
  created_at: string;
  closed_at: string | null;
  disposition: string | null;
  patient_name: string | null;
}

/** The FTS5 query for these words: each quoted (no query syntax gets through), prefix-matched, joined by `joiner`. */
export function ftsQuery(words: readonly string[], joiner: ' ' | ' OR ' = ' '): string {
  return words.map((w) => `"${w.replace(/"/g, '""')}"*`).join(joiner);
}

const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);


export class HistoryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(filter: HistoryFilter): Promise<HistoryRow[]> {
    if (filter.queues && filter.queues.length === 0) return [];
    let query = this.db
      .selectFrom('conversations as c')
      .leftJoin('conversation_wrapups as w', 'w.conversation_id', 'c.id')
      .select(['c.id', 'c.channel', 'c.state', 'c.queue', 'c.patient_id', 'c.visitor_name', 'c.agent_id', 'c.created_at', 'c.closed_at', 'w.disposition'])
      .select((eb) =>
        eb
          .selectFrom('conversation_participants as pp')
          .select('pp.display_name')
          .whereRef('pp.conversation_id', '=', 'c.id')
          .where('pp.kind', 'in', ['patient', 'visitor'])
          .orderBy('pp.joined_at')
          .limit(1)
          .as('patient_name'),
      );
    const { participant } = filter;
    if (participant !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb('c.agent_id', '=', participant),
          eb.exists(eb.selectFrom('conversation_participants as m').select('m.user_id').whereRef('m.conversation_id', '=', 'c.id').where('m.user_id', '=', participant)),
        ]),
      );
    }
    if (filter.queues) query = query.where('c.queue', 'in', [...filter.queues]);
    if (filter.state === 'closed') query = query.where('c.state', '=', 'closed');
    if (filter.state === 'open') query = query.where('c.state', '!=', 'closed');
    if (filter.queue !== undefined) query = query.where('c.queue', '=', filter.queue);
    if (filter.agentId !== undefined) query = query.where('c.agent_id', '=', filter.agentId);
    if (filter.disposition !== undefined) query = query.where('w.disposition', '=', filter.disposition);
    if (filter.from !== undefined) query = query.where('c.created_at', '>=', filter.from);
    if (filter.until !== undefined) query = query.where('c.created_at', '<', filter.until);
    const words = filter.words ?? [];
    if (words.length > 0 || filter.phrase) {
      const like = `%${likeEscaped(filter.phrase ?? '')}%`;
      query = query.where((eb) =>
        eb.or([
          // Every word somewhere in the conversation (not necessarily in one message).
          ...(words.length > 0
            ? [eb.and(words.map((w) => eb('c.id', 'in', sql<string>`(SELECT conversation_id FROM conversation_messages_fts WHERE conversation_messages_fts MATCH ${ftsQuery([w])})`)))]
            : []),
          ...(filter.phrase
            ? [
                sql<boolean>`c.visitor_name LIKE ${like} ESCAPE '\\'`,
                eb.exists(
                  eb
                    .selectFrom('conversation_participants as pn')
                    .select('pn.user_id')
                    .whereRef('pn.conversation_id', '=', 'c.id')
                    .where('pn.kind', 'in', ['patient', 'visitor'])
                    .where(sql<boolean>`pn.display_name LIKE ${like} ESCAPE '\\'`),
                ),
              ]
            : []),
        ]),
      );
    }
    const { after } = filter;
    if (after) {
      query = query.where((eb) => eb.or([eb('c.created_at', '<', after.createdAt), eb.and([eb('c.created_at', '=', after.createdAt), eb('c.id', '<', after.id)])]));
    }
    return query.orderBy('c.created_at', 'desc').orderBy('c.id', 'desc').limit(filter.limit).execute();
  }

  /** The best matching passage of one conversation's transcript, with the matches between MATCH_START and MATCH_END. */
  async snippet(conversationId: string, words: readonly string[]): Promise<string | null> {
    if (words.length === 0) return null;
    const result = await sql<{ passage: string }>`
      SELECT snippet(conversation_messages_fts, 0, ${MATCH_START}, ${MATCH_END}, '…', 14) AS passage
      FROM conversation_messages_fts
      WHERE conversation_messages_fts MATCH ${ftsQuery(words, ' OR ')} AND conversation_id = ${conversationId}
      ORDER BY rank LIMIT 1`.execute(this.db);
    return result.rows[0]?.passage ?? null;
  }
}
