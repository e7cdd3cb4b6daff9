/**
 * The search engine behind the knowledge base, as an interface: the SQLite FTS5 implementation is
 * `sqlite-index.ts`; a PostgreSQL one would keep a weighted tsvector (title A, summary B, keywords C,
 * body D) and pg_trgm for the vocabulary, and answer the same calls.
 *
 * Only published versions are in the index. `put` and `remove` run inside the caller's write
 * transaction, so the index never disagrees with what is published.
 */
import type { KnowledgeAudience, KnowledgeLanguage } from '../contracts/knowledge.js';
import type { SearchPlan } from './query-plan.js';
import type { VocabularyEntry } from './spelling.js';

/** An article's published text, as the index takes it. */
export interface IndexedArticle {
  /** The article's number in the index (knowledge_articles.seq). */
  seq: number;
  id: string;
  title: string;
  summary: string;
  /** Plain text (Markdown removed). */
  body: string;
  /** Tags and condition codes. */
  keywords: string;
  language: KnowledgeLanguage;
  audience: KnowledgeAudience;
  category: string;
}

export interface IndexFilter {
  /** Only articles written for one of these audiences. */
  audiences?: readonly KnowledgeAudience[];
  language?: KnowledgeLanguage;
  category?: string;
  /** Leave these article ids out (related articles leave the article itself out). */
  exclude?: readonly string[];
}

export interface IndexHit {
  id: string;
  /** Higher is better. */
  score: number;
  /** The best passage of the body, matches between MATCH_START and MATCH_END. */
  passage: string;
}


/** Whose words: patients' (articles for patients or both) or staff's (every article). */
export type VocabularyScope = 'public' | 'staff';

export interface KnowledgeIndex {
  put(article: IndexedArticle): void;
  remove(seq: number): void;
  /**
   * Articles matching every group of the plan, best first; when that finds fewer than `limit`
   * (or `mode: 'any'`), those matching any group follow.
   */
  search(plan: SearchPlan, filter: IndexFilter, limit: number, mode?: 'all' | 'any'): Promise<IndexHit[]>;
  /**
   * The words the index holds with how many articles use each (for spelling correction): of the
   * articles patients may read (`public`), or of every article (`staff`). A word in both is listed
   * twice; the corrector keeps the larger count.
   */
  vocabulary(scope: VocabularyScope): Iterable<VocabularyEntry>;
  /** Bumped by every put and remove: whoever caches the vocabulary rebuilds it when this changes. */
  readonly generation: number;
}
