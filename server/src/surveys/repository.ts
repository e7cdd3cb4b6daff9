/**
 * SQL for follow-up surveys: the offers (`survey_offers`, migration 008). Conversations and their
 * participants are read through the conversations API. Writes are
 * prepared statements on the raw connection; the supervisor list is built with Kysely. Portable SQL.
 */
import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../platform/db/schema.js';
import type { SurveyOfferTable } from '../platform/db/schema.js';

export type SurveyOfferRow = SurveyOfferTable;

export interface NewOffer {
  conversationId: string;
  tokenHash: string;
  surveyId: string;
  patientId: string | null;
  agentId: string | null;
  queue: string | null;
  createdAt: string;
  expiresAt: string;
}

export interface AnsweredFilter {
  agentId?: string | undefined;
  queue?: string | undefined;
}

export interface ScoreGroup {
  key: string | null;
  count: number;
  csatAverage: number | null;
  npsCount: number;
  promoters: number;
  detractors: number;
}

export class SurveyRepository {
  private readonly statements;

  constructor(
    sqlite: SQLite.Database,
    private readonly db: Kysely<Database>,
  ) {
    this.statements = {
      insertOffer: sqlite.prepare<[string, string, string, string | null, string | null, string | null, string, string]>(
        `INSERT INTO survey_offers (conversation_id, token_hash, survey_id, patient_id, agent_id, queue, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (conversation_id) DO NOTHING`,
      ),
      byConversation: sqlite.prepare<[string], SurveyOfferRow>('SELECT * FROM survey_offers WHERE conversation_id = ?'),
      byTokenHash: sqlite.prepare<[string], SurveyOfferRow>('SELECT * FROM survey_offers WHERE token_hash = ?'),
      markAnswered: sqlite.prepare<[string, string, string, number | null, number | null, string]>(
        `UPDATE survey_offers SET answered_at = ?, response_id = ?, answers = ?, csat = ?, nps = ?
         WHERE token_hash = ? AND answered_at IS NULL`,
      ),
      rotateToken: sqlite.prepare<[string, string]>('UPDATE survey_offers SET token_hash = ? WHERE conversation_id = ? AND answered_at IS NULL'),
    };
  }

  /** False when the conversation already has an offer (a survey is offered once). */
  insertOffer(offer: NewOffer): boolean {
    const { conversationId, tokenHash, surveyId, patientId, agentId, queue, createdAt, expiresAt } = offer;
    return this.statements.insertOffer.run(conversationId, tokenHash, surveyId, patientId, agentId, queue, createdAt, expiresAt).changes === 1;
  }

  offerFor(conversationId: string): SurveyOfferRow | undefined {
    return this.statements.byConversation.get(conversationId);
  }

  /** Replaces an unanswered offer's token (the old link stops working); false when answered or none. */
  rotateToken(conversationId: string, tokenHash: string): boolean {
    return this.statements.rotateToken.run(tokenHash, conversationId).changes === 1;
  }

  byTokenHash(tokenHash: string): SurveyOfferRow | undefined {
    return this.statements.byTokenHash.get(tokenHash);
  }

  /** Claims the offer for this answer set; false when it was answered meanwhile. */
  markAnswered(tokenHash: string, answer: { at: string; responseId: string; answers: string; csat: number | null; nps: number | null }): boolean {
    return this.statements.markAnswered.run(answer.at, answer.responseId, answer.answers, answer.csat, answer.nps, tokenHash).changes === 1;
  }

  private answered(filter: AnsweredFilter) {
    let query = this.db.selectFrom('survey_offers').where('answered_at', 'is not', null);
    if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
    if (filter.queue !== undefined) query = query.where('queue', '=', filter.queue);
    return query;
  }

  /** Answered surveys, newest first. */
  async listAnswered(filter: AnsweredFilter, limit: number): Promise<SurveyOfferRow[]> {
    return this.answered(filter).selectAll().orderBy('answered_at', 'desc').orderBy('conversation_id').limit(limit).execute();
  }

  /** Counts and score sums over every answered survey matching the filter, grouped by `groupBy` (or all in one). */
  async scores(filter: AnsweredFilter, groupBy?: 'agent_id' | 'queue'): Promise<ScoreGroup[]> {
    const rows = await this.answered(filter)
      .select((eb) => [
        (groupBy ? eb.ref(groupBy) : eb.val<string | null>(null)).as('key'),
        eb.fn.countAll<number>().as('count'),
        eb.fn.avg<number | null>('csat').as('csat_average'),
        eb.fn.count<number>('nps').as('nps_count'),
        eb.fn.sum<number | null>(eb.case().when('nps', '>=', 9).then(1).else(0).end()).as('promoters'),
        eb.fn.sum<number | null>(eb.case().when('nps', '<=', 6).then(1).else(0).end()).as('detractors'),
      ])
      .$if(groupBy !== undefined, (q) => q.where(groupBy!, 'is not', null).groupBy(groupBy!).orderBy(groupBy!))
      .execute();
    return rows.map((r) => ({
      key: r.key,
      count: Number(r.count),
      csatAverage: r.csat_average === null ? null : Number(r.csat_average),
      npsCount: Number(r.nps_count),
      promoters: Number(r.promoters ?? 0),
      detractors: Number(r.detractors ?? 0),
    }));
  }
}
