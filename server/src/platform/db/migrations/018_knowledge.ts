import { sql, type Kysely } from 'kysely';

/**
 * The knowledge base: one row per article (which version is published, which is the latest, the
 * hash of the file last imported for it) and every version it ever had (draft → review → published,
 * superseded when a later one is published; never deleted, so history can be read and restored).
 *
 * Search: `knowledge_fts`, an FTS5 index of each article's published version (title, summary, body
 * as plain text, keywords = tags and condition codes), Porter-stemmed, diacritics folded, its rowid
 * the article's `seq`; `knowledge_head`, the same without the body: what an article is about, small
 * enough to rank quickly at tens of thousands of articles (searched first, the body only when it
 * finds too few). `knowledge_words` is a contentless FTS5 table over the same text without
 * stemming: its vocabulary (`knowledge_words_vocab`) is what spelling correction compares typed words
 * with. Both are SQLite-only and read and written only by the knowledge index (knowledge/sqlite-index.ts);
 * PostgreSQL would implement the same `KnowledgeIndex` with tsvector columns and pg_trgm.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('knowledge_articles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull().unique())
    .addColumn('published_version', 'integer')
    .addColumn('latest_version', 'integer', (c) => c.notNull())
    .addColumn('source_file', 'text')
    .addColumn('file_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('knowledge_versions')
    .addColumn('article_id', 'text', (c) => c.notNull().references('knowledge_articles.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('conditions', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('translation_of', 'text')
    .addColumn('review_date', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('restored_from', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addColumn('published_by', 'text')
    .addPrimaryKeyConstraint('knowledge_versions_pk', ['article_id', 'version'])
    .execute();
  await db.schema.createIndex('knowledge_versions_status').on('knowledge_versions').columns(['status', 'article_id']).execute();
  await sql`CREATE VIRTUAL TABLE knowledge_fts USING fts5(
    title, summary, body, keywords,
    article_id UNINDEXED, language UNINDEXED, audience UNINDEXED, category UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2', prefix = '3'
  )`.execute(db);
  await sql`CREATE VIRTUAL TABLE knowledge_head USING fts5(
    title, summary, keywords,
    article_id UNINDEXED, language UNINDEXED, audience UNINDEXED, category UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2', prefix = '3'
  )`.execute(db);
  await sql`CREATE VIRTUAL TABLE knowledge_words USING fts5(
    text, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
  )`.execute(db);
  await sql`CREATE VIRTUAL TABLE knowledge_words_vocab USING fts5vocab(knowledge_words, 'row')`.execute(db);
}
