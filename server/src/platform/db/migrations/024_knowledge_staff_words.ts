import { sql, type Kysely } from 'kysely';

/**
 * Spelling correction for patients must not know the words of articles written for staff only: a
 * "did you mean" would show a patient words from agent-only articles. `knowledge_words` (migration
 * 018) now holds the words of articles patients may read (audience `patient` or `both`), and
 * `knowledge_staff_words` those of agent-only articles; staff are corrected against both. The words
 * already indexed are sorted into the two tables from the published text in `knowledge_fts`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE VIRTUAL TABLE knowledge_staff_words USING fts5(
    text, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
  )`.execute(db);
  await sql`CREATE VIRTUAL TABLE knowledge_staff_words_vocab USING fts5vocab(knowledge_staff_words, 'row')`.execute(db);
  await sql`INSERT INTO knowledge_words (knowledge_words) VALUES ('delete-all')`.execute(db);
  const words = sql`title || char(10) || summary || char(10) || keywords || char(10) || body`;
  await sql`INSERT INTO knowledge_words (rowid, text) SELECT rowid, ${words} FROM knowledge_fts WHERE audience <> 'agent'`.execute(db);
  await sql`INSERT INTO knowledge_staff_words (rowid, text) SELECT rowid, ${words} FROM knowledge_fts WHERE audience = 'agent'`.execute(db);
}
