/**
 * The SQL of sentiment (tables of migration 026). Synchronous prepared statements on the
 * better-sqlite3 connection on purpose, like the chat hot path: the listener scores a message beside
 * its delivery and its write joins the server's group commit, with no `await` in between. The SQL is
 * plain (INSERT … ON CONFLICT … DO UPDATE, no SQLite-only functions), so PostgreSQL runs it unchanged.
 */
import type SQLite from 'better-sqlite3';
import type { SentimentFlag, SentimentLabel, SentimentProviderName } from '../contracts/sentiment.js';

export interface ScoreRow {
  message_id: string;
  conversation_id: string;
  seq: number;
  at: string;
  score: number;
  scale: number;
  label: SentimentLabel;
  flags: string;
  provider: SentimentProviderName;
  evidence: number;
  azure: 'pending' | 'done' | 'failed' | null;
  conversation_score: number;
  conversation_scale: number;
  conversation_messages: number;
  drop_from: number | null;
  scored_at: string;
}

export interface ConversationRow {
  conversation_id: string;
  score: number;
  scale: number;
  messages: number;
  last_message_id: string;
  alert_armed: number;
  updated_at: string;
}

export const flagsOf = (row: Pick<ScoreRow, 'flags'>): SentimentFlag[] => JSON.parse(row.flags) as SentimentFlag[];

export class SentimentRepository {
  private readonly statements;

  constructor(sqlite: SQLite.Database) {
    this.statements = {
      upsertScore: sqlite.prepare(`INSERT INTO sentiment_message_scores
          (message_id, conversation_id, seq, at, score, scale, label, flags, provider, evidence, azure, conversation_score, conversation_scale, conversation_messages, drop_from, scored_at)
        VALUES (@message_id, @conversation_id, @seq, @at, @score, @scale, @label, @flags, @provider, @evidence, @azure, @conversation_score, @conversation_scale, @conversation_messages, @drop_from, @scored_at)
        ON CONFLICT (message_id) DO UPDATE SET score = excluded.score, scale = excluded.scale, label = excluded.label, flags = excluded.flags,
          provider = excluded.provider, evidence = excluded.evidence, azure = excluded.azure, conversation_score = excluded.conversation_score,
          conversation_scale = excluded.conversation_scale, conversation_messages = excluded.conversation_messages, drop_from = excluded.drop_from, scored_at = excluded.scored_at`),
      upsertConversation: sqlite.prepare(`INSERT INTO sentiment_conversations (conversation_id, score, scale, messages, last_message_id, alert_armed, updated_at)
        VALUES (@conversation_id, @score, @scale, @messages, @last_message_id, @alert_armed, @updated_at)
        ON CONFLICT (conversation_id) DO UPDATE SET score = excluded.score, scale = excluded.scale, messages = excluded.messages,
          last_message_id = excluded.last_message_id, alert_armed = excluded.alert_armed, updated_at = excluded.updated_at`),
      conversation: sqlite.prepare('SELECT * FROM sentiment_conversations WHERE conversation_id = ?'),
      score: sqlite.prepare('SELECT * FROM sentiment_message_scores WHERE message_id = ?'),
      trend: sqlite.prepare('SELECT * FROM sentiment_message_scores WHERE conversation_id = ? ORDER BY seq'),
      evidenceUpTo: sqlite.prepare('SELECT * FROM sentiment_message_scores WHERE conversation_id = ? AND evidence = 1 AND seq <= ? ORDER BY seq DESC LIMIT ?'),
      pendingAzure: sqlite.prepare("SELECT * FROM sentiment_message_scores WHERE conversation_id = ? AND azure = 'pending' ORDER BY seq LIMIT ?"),
      setAzure: sqlite.prepare('UPDATE sentiment_message_scores SET azure = ? WHERE message_id = ?'),
    };
  }

  saveScore(row: ScoreRow): void {
    this.statements.upsertScore.run(row);
  }

  saveConversation(row: ConversationRow): void {
    this.statements.upsertConversation.run(row);
  }

  conversation(conversationId: string): ConversationRow | undefined {
    return this.statements.conversation.get(conversationId) as ConversationRow | undefined;
  }

  score(messageId: string): ScoreRow | undefined {
    return this.statements.score.get(messageId) as ScoreRow | undefined;
  }

  /** Every scored message of the conversation, oldest first. */
  trend(conversationId: string): ScoreRow[] {
    return this.statements.trend.all(conversationId) as ScoreRow[];
  }

  /** The last `limit` evidence-carrying scores up to `seq`, oldest first. */
  evidenceUpTo(conversationId: string, seq: number, limit: number): ScoreRow[] {
    return (this.statements.evidenceUpTo.all(conversationId, seq, limit) as ScoreRow[]).reverse();
  }

  pendingAzure(conversationId: string, limit: number): ScoreRow[] {
    return this.statements.pendingAzure.all(conversationId, limit) as ScoreRow[];
  }

  setAzure(messageId: string, state: 'done' | 'failed'): void {
    this.statements.setAzure.run(state, messageId);
  }
}
