/**
 * `KnowledgeIndex` on SQLite FTS5 (migration 018): `knowledge_fts` with BM25 weights title 10 >
 * summary 4 > keywords 3 > body 1, Porter stemming and folded accents; `knowledge_words`, contentless
 * and unstemmed, for the vocabulary spelling correction compares with. The only SQLite-only SQL of
 * the knowledge base is here.
 */
import type SQLite from 'better-sqlite3';
import type { PlannedGroup, PlannedPhrase, SearchPlan } from './query-plan.js';
import { MATCH_END, MATCH_START, type IndexFilter, type IndexHit, type IndexedArticle, type KnowledgeIndex } from './search-index.js';
import type { VocabularyEntry } from './spelling.js';
import { STOP_WORDS } from './text.js';

/** BM25 column weights, in the table's column order: title, summary, body, keywords. */
export const FIELD_WEIGHTS = { title: 10, summary: 4, body: 1, keywords: 3 } as const;
const SNIPPET_TOKENS = 28;
/** How many of the best synonym-widened matches are scored again by the typed words. */
const RESCORED_CANDIDATES = 30;
/** The widened query's share of the blended score (the typed words' score counts in full). */
export const SYNONYM_BLEND = 0.5;

/** One phrase as FTS5 syntax: every word in double quotes (quotes inside doubled), `*` for a prefix. */
function phraseQuery(phrase: PlannedPhrase): string {
  return `"${phrase.words.join(' ').replace(/"/g, '""')}"${phrase.prefix ? '*' : ''}`;
}

/** Where synonyms are looked for: the fields that say what an article is about. */
const SYNONYM_COLUMNS = '{title summary keywords}';

function groupQuery(group: PlannedGroup): string {
  const typed = group.alternatives.filter((a) => !a.synonym).map(phraseQuery);
  const synonyms = group.alternatives.filter((a) => a.synonym).map(phraseQuery);
  const parts = [...typed, ...(synonyms.length > 0 ? [`${SYNONYM_COLUMNS} : (${synonyms.join(' OR ')})`] : [])];
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

/**
 * The plan as an FTS5 MATCH expression: groups joined by AND (`all`), or, for `any`, every phrase and
 * every word of a longer phrase joined by OR ("high blood pressure" also finds "blood pressure").
 */
export function matchExpression(plan: SearchPlan, mode: 'all' | 'any'): string {
  if (mode === 'all') return plan.groups.map(groupQuery).join(' AND ');
  const parts = new Set<string>();
  for (const group of plan.groups) {
    for (const phrase of group.alternatives) {
      parts.add(phraseQuery(phrase));
      if (phrase.words.length > 1) for (const word of phrase.words) if (!STOP_WORDS.has(word)) parts.add(phraseQuery({ words: [word], prefix: false }));
    }
  }
  return [...parts].join(' OR ');
}

export class SqliteKnowledgeIndex implements KnowledgeIndex {
  private version = 0;
  private readonly statements;

  private readonly searches = new Map<string, SQLite.Statement<unknown[], { id: string; rank: number; passage: string }>>();

  constructor(private readonly sqlite: SQLite.Database) {
    // The weights as the table's default rank, so `ORDER BY rank` takes FTS5's own top-N path.
    const { title, summary, body, keywords } = FIELD_WEIGHTS;
    sqlite.prepare(`INSERT INTO knowledge_fts (knowledge_fts, rank) VALUES ('rank', 'bm25(${title}, ${summary}, ${body}, ${keywords})')`).run();
    this.statements = {
      deleteFts: sqlite.prepare('DELETE FROM knowledge_fts WHERE rowid = ?'),
      insertFts: sqlite.prepare(
        `INSERT INTO knowledge_fts (rowid, title, summary, body, keywords, article_id, language, audience, category)
         VALUES (@seq, @title, @summary, @body, @keywords, @id, @language, @audience, @category)`,
      ),
      deleteWords: sqlite.prepare('DELETE FROM knowledge_words WHERE rowid = ?'),
      insertWords: sqlite.prepare('INSERT INTO knowledge_words (rowid, text) VALUES (?, ?)'),
      vocabulary: sqlite.prepare('SELECT term, doc FROM knowledge_words_vocab'),
    };
  }

  get generation(): number {
    return this.version;
  }

  put(article: IndexedArticle): void {
    this.statements.deleteFts.run(article.seq);
    this.statements.deleteWords.run(article.seq);
    this.statements.insertFts.run(article);
    this.statements.insertWords.run(article.seq, [article.title, article.summary, article.keywords, article.body].join('\n'));
    this.version++;
  }

  remove(seq: number): void {
    this.statements.deleteFts.run(seq);
    this.statements.deleteWords.run(seq);
    this.version++;
  }

  async search(plan: SearchPlan, filter: IndexFilter, limit: number, mode: 'all' | 'any' = 'all'): Promise<IndexHit[]> {
    if (plan.groups.length === 0 || limit <= 0) return [];
    const hits = mode === 'all' ? this.matchAll(plan, filter, limit) : [];
    const loosens = plan.groups.length > 1 || plan.groups.some((g) => g.alternatives.some((a) => a.words.length > 1));
    if (hits.length < limit && (mode === 'any' || loosens)) {
      const seen = new Set(hits.map((h) => h.id));
      const floor = hits.length > 0 ? Math.min(...hits.map((h) => h.score)) : Infinity;
      for (const hit of this.run(matchExpression(plan, 'any'), { ...filter, exclude: [...(filter.exclude ?? []), ...seen] }, limit - hits.length)) {
        // Partial matches rank after every full match.
        hits.push({ ...hit, score: floor === Infinity ? hit.score : Math.round(Math.min(hit.score, floor * 0.999) * 1000) / 1000 });
      }
    }
    return hits;
  }

  /**
   * Articles matching every group. With synonyms, BM25 sums over every phrase of the query, so an
   * article mentioning many synonyms would beat one about what was typed: the best candidates are
   * scored again by the typed words alone, and the two scores blended.
   */
  private matchAll(plan: SearchPlan, filter: IndexFilter, limit: number): IndexHit[] {
    const withSynonyms = plan.groups.some((g) => g.alternatives.some((a) => a.synonym));
    if (!withSynonyms) return this.run(matchExpression(plan, 'all'), filter, limit);
    const candidates = this.run(matchExpression(plan, 'all'), filter, Math.max(limit * 3, RESCORED_CANDIDATES));
    if (candidates.length <= 1) return candidates;
    const typed: SearchPlan = { groups: plan.groups.map((g) => ({ alternatives: g.alternatives.filter((a) => !a.synonym) })).filter((g) => g.alternatives.length > 0), correctedQuery: null };
    const typedScores = new Map(
      typed.groups.length === 0 ? [] : this.run(matchExpression(typed, 'any'), { ...filter, only: candidates.map((c) => c.id) }, candidates.length).map((h) => [h.id, h.score] as const),
    );
    return candidates
      .map((c) => ({ ...c, score: Math.round((c.score * SYNONYM_BLEND + (typedScores.get(c.id) ?? 0)) * 1000) / 1000 }))
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  }

  private run(match: string, filter: IndexFilter & { only?: readonly string[] }, limit: number): IndexHit[] {
    const where: string[] = ['knowledge_fts MATCH ?'];
    const params: unknown[] = [MATCH_START, MATCH_END, match];
    if (filter.audiences) {
      where.push(`audience IN (${filter.audiences.map(() => '?').join(', ')})`);
      params.push(...filter.audiences);
    }
    if (filter.language) {
      where.push('language = ?');
      params.push(filter.language);
    }
    if (filter.category) {
      where.push('category = ?');
      params.push(filter.category);
    }
    if (filter.only) {
      where.push(`article_id IN (${filter.only.map(() => '?').join(', ')})`);
      params.push(...filter.only);
    }
    if (filter.exclude && filter.exclude.length > 0) {
      where.push(`article_id NOT IN (${filter.exclude.map(() => '?').join(', ')})`);
      params.push(...filter.exclude);
    }
    const sql = `SELECT article_id AS id, rank, snippet(knowledge_fts, 2, ?, ?, '…', ${SNIPPET_TOKENS}) AS passage
      FROM knowledge_fts WHERE ${where.join(' AND ')} ORDER BY rank LIMIT ${Math.floor(limit)}`;
    let statement = this.searches.get(sql);
    if (!statement) {
      // Statements differ only by filters and limit: a handful of shapes, kept prepared.
      if (this.searches.size >= 200) this.searches.clear();
      statement = this.sqlite.prepare(sql);
      this.searches.set(sql, statement);
    }
    const rows = statement.all(...params);
    return rows.map((r) => ({ id: r.id, score: Math.round(-r.rank * 1000) / 1000, passage: r.passage }));
  }

  *vocabulary(): Iterable<VocabularyEntry> {
    for (const row of this.statements.vocabulary.iterate() as Iterable<{ term: string; doc: number }>) yield { word: row.term, documents: row.doc };
  }
}
