/**
 * The articles and their versions (migration 018), on the better-sqlite3 connection: an import, an
 * edit or a publication writes the article row, its version, the search index and the audit row in
 * one synchronous transaction, which on the shared connection must not span an `await` (as the
 * clinic settings store does). The SQL is portable; the FTS5 part is behind `KnowledgeIndex`.
 */
import type SQLite from 'better-sqlite3';
import type { KnowledgeArticleTable, KnowledgeVersionTable } from '../platform/db/schema.js';

export type ArticleRow = KnowledgeArticleTable;
export type VersionRow = KnowledgeVersionTable;

/** A published version with its article's pointers, for lists. */
export type PublishedRow = VersionRow & { seq: number; published_version: number | null; latest_version: number };

export class KnowledgeStore {
  private readonly s;

  constructor(readonly sqlite: SQLite.Database) {
    this.s = {
      article: sqlite.prepare<[string], ArticleRow>('SELECT * FROM knowledge_articles WHERE id = ?'),
      nextSeq: sqlite.prepare<[], { next: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM knowledge_articles'),
      insertArticle: sqlite.prepare(
        `INSERT INTO knowledge_articles (id, seq, published_version, latest_version, source_file, file_hash, created_at, updated_at)
         VALUES (@id, @seq, @published_version, @latest_version, @source_file, @file_hash, @created_at, @updated_at)`,
      ),
      updateArticle: sqlite.prepare(
        `UPDATE knowledge_articles SET published_version = @published_version, latest_version = @latest_version,
           source_file = @source_file, file_hash = @file_hash, updated_at = @updated_at WHERE id = @id`,
      ),
      version: sqlite.prepare<[string, number], VersionRow>('SELECT * FROM knowledge_versions WHERE article_id = ? AND version = ?'),
      versions: sqlite.prepare<[string], VersionRow>('SELECT * FROM knowledge_versions WHERE article_id = ? ORDER BY version DESC'),
      insertVersion: sqlite.prepare(
        `INSERT INTO knowledge_versions (article_id, version, status, title, summary, audience, category, tags, conditions, language,
           translation_of, review_date, owner, body, source, restored_from, created_at, created_by, updated_at, published_at, published_by)
         VALUES (@article_id, @version, @status, @title, @summary, @audience, @category, @tags, @conditions, @language,
           @translation_of, @review_date, @owner, @body, @source, @restored_from, @created_at, @created_by, @updated_at, @published_at, @published_by)`,
      ),
      updateVersion: sqlite.prepare(
        `UPDATE knowledge_versions SET status = @status, title = @title, summary = @summary, audience = @audience, category = @category,
           tags = @tags, conditions = @conditions, language = @language, translation_of = @translation_of, review_date = @review_date,
           owner = @owner, body = @body, source = @source, restored_from = @restored_from, updated_at = @updated_at,
           published_at = @published_at, published_by = @published_by
         WHERE article_id = @article_id AND version = @version`,
      ),
      published: sqlite.prepare<[], PublishedRow>(
        `SELECT v.*, a.seq, a.published_version, a.latest_version FROM knowledge_articles a
         JOIN knowledge_versions v ON v.article_id = a.id AND v.version = a.published_version ORDER BY v.title, a.id`,
      ),
      publishedOne: sqlite.prepare<[string], PublishedRow>(
        `SELECT v.*, a.seq, a.published_version, a.latest_version FROM knowledge_articles a
         JOIN knowledge_versions v ON v.article_id = a.id AND v.version = a.published_version WHERE a.id = ?`,
      ),
      open: sqlite.prepare<[string], VersionRow>(
        `SELECT * FROM knowledge_versions WHERE article_id = ? AND status IN ('draft', 'review') ORDER BY version DESC LIMIT 1`,
      ),
      current: sqlite.prepare<[], PublishedRow>(
        `SELECT v.*, a.seq, a.published_version, a.latest_version FROM knowledge_articles a
         JOIN knowledge_versions v ON v.article_id = a.id
         WHERE v.version = COALESCE(
           (SELECT MAX(o.version) FROM knowledge_versions o WHERE o.article_id = a.id AND o.status IN ('draft', 'review')),
           a.published_version)
         ORDER BY v.title, a.id`,
      ),
      family: sqlite.prepare<[string, string, string], PublishedRow>(
        `SELECT v.*, a.seq, a.published_version, a.latest_version FROM knowledge_articles a
         JOIN knowledge_versions v ON v.article_id = a.id AND v.version = a.published_version
         WHERE a.id <> ? AND (v.translation_of = ? OR a.id = ?)`,
      ),
      dueBy: sqlite.prepare<[string], PublishedRow>(
        `SELECT v.*, a.seq, a.published_version, a.latest_version FROM knowledge_articles a
         JOIN knowledge_versions v ON v.article_id = a.id AND v.version = a.published_version
         WHERE v.review_date <= ? ORDER BY v.review_date, a.id`,
      ),
      publishedCount: sqlite.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM knowledge_articles WHERE published_version IS NOT NULL'),
    };
  }

  transaction<T>(work: () => T): T {
    return this.sqlite.transaction(work)();
  }

  article(id: string): ArticleRow | undefined {
    return this.s.article.get(id);
  }

  nextSeq(): number {
    return this.s.nextSeq.get()!.next;
  }

  insertArticle(row: ArticleRow): void {
    this.s.insertArticle.run(row);
  }

  updateArticle(row: ArticleRow): void {
    this.s.updateArticle.run(row);
  }

  version(id: string, version: number): VersionRow | undefined {
    return this.s.version.get(id, version);
  }

  versions(id: string): VersionRow[] {
    return this.s.versions.all(id);
  }

  insertVersion(row: VersionRow): void {
    this.s.insertVersion.run(row);
  }

  updateVersion(row: VersionRow): void {
    this.s.updateVersion.run(row);
  }

  /** Every article's published version. */
  published(): PublishedRow[] {
    return this.s.published.all();
  }

  publishedVersionOf(id: string): PublishedRow | undefined {
    return this.s.publishedOne.get(id);
  }

  /** The article's open version (a draft or one in review), if any: there is at most one. */
  openVersion(id: string): VersionRow | undefined {
    return this.s.open.get(id);
  }

  /** Every article as an editor sees it: its open version if it has one, else its published one. */
  current(): PublishedRow[] {
    return this.s.current.all();
  }

  /** The other published articles of a translation family: translations of `root`, and `root` itself. */
  translationFamily(exceptId: string, root: string): PublishedRow[] {
    return this.s.family.all(exceptId, root, root);
  }

  /** Published articles whose review date is on or before `date`. */
  reviewDueBy(date: string): PublishedRow[] {
    return this.s.dueBy.all(date);
  }

  publishedCount(): number {
    return this.s.publishedCount.get()!.n;
  }
}
